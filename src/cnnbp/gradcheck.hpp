/// \file
/// Finite differences: the numerical gradient of the scalar L = <out, dout> that every backward
/// differentiates (\ref eq_N1 "(N1)"), usable on any layer. Derivation: \ref gradcheck.
#pragma once

#include "cnnbp/tensor.hpp"

#include <armadillo>
#include <cmath>
#include <cstddef>

namespace cnnbp {

/// The default relative step: close to cbrt(machine epsilon) = 6.1e-6, the step that balances the
/// O(h^2) truncation error of a central difference against its O(eps / h) rounding error, \ref eq_F2 "(F2)".
inline constexpr double fd_default_relative_step = 6.1e-6;

/// The step for an element of value x, \ref eq_F3 "(F3)": relative_step * max(1, |x|), rounded down to a power
/// of two so that x + h and x - h are computed without rounding for every x that is a multiple of it.
inline double fd_step(double x, double relative_step = fd_default_relative_step) {
    return std::ldexp(1.0, std::ilogb(relative_step * std::max(1.0, std::abs(x))));
}

/// @cond INTERNAL
inline double* fd_elements(Tensor4& t) { return t.memptr(); }
inline std::size_t fd_count(const Tensor4& t) { return t.size(); }
inline double* fd_elements(arma::mat& m) { return m.memptr(); }
inline std::size_t fd_count(const arma::mat& m) { return m.n_elem; }
inline double* fd_elements(arma::vec& v) { return v.memptr(); }
inline std::size_t fd_count(const arma::vec& v) { return v.n_elem; }
/// @endcond

/// Central differences, \ref eq_F1 "(F1)": g_k = (L(x + h_k e_k) - L(x - h_k e_k)) / (2 h_k), one element at a time.
///
/// `loss` maps a value shaped like x (a Tensor4, arma::mat or arma::vec) to a double; the result is shaped like x.
template <class T, class Loss>
T numerical_gradient(Loss&& loss, const T& x, double relative_step = fd_default_relative_step) {
    T g = x, probe = x;
    double* gk = fd_elements(g);
    double* pk = fd_elements(probe);
    for (std::size_t k = 0; k < fd_count(x); ++k) {
        const double xk = pk[k], h = fd_step(xk, relative_step);
        pk[k] = xk + h;
        const double up = loss(static_cast<const T&>(probe));
        pk[k] = xk - h;
        const double down = loss(static_cast<const T&>(probe));
        pk[k] = xk;
        gk[k] = (up - down) / (2 * h);
    }
    return g;
}

/// The numerical gradient of L(x) = <forward(x), dout>, \ref eq_N1 "(N1)": what a backward must return for x.
template <class T, class Forward>
T numerical_vjp(Forward&& forward, const T& x, const Tensor4& dout, double relative_step = fd_default_relative_step) {
    return numerical_gradient([&](const T& probe) { return dot(forward(probe), dout); }, x, relative_step);
}

}  // namespace cnnbp
