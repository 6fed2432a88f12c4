/// \file
/// Finite differences: the numerical gradient of the scalar L = <out, dout> that every backward
/// differentiates, \ref eq_N1 "(N1)", usable on any layer. Derivation: \ref gradcheck "Finite differences".
#pragma once

#include "cnnbp/core/tensor.hpp"

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

/// One central difference and the step it took (central_difference()).
struct CentralDifference {
    double h = 0;      ///< the step
    double value = 0;  ///< (L(theta + h e_k) - L(theta - h e_k)) / (2 h)
};

/// One central difference, \ref eq_F1 "(F1)", taken where the element lives: theta_k is set to theta_k + h and then
/// to theta_k - h, `loss()` is evaluated at each, and theta_k is restored; h = fd_step(theta_k), \ref eq_F3 "(F3)".
/// For one element of a value, or a parameter inside a larger structure (a network's weights).
template <class Loss>
CentralDifference central_difference(double& theta_k, Loss&& loss, double relative_step = fd_default_relative_step) {
    const double keep = theta_k, h = fd_step(keep, relative_step);
    theta_k = keep + h;
    const double up = loss();
    theta_k = keep - h;
    const double down = loss();
    theta_k = keep;
    return {h, (up - down) / (2 * h)};
}

/// @cond INTERNAL
inline double* fd_elements(Tensor4& t) { return t.memptr(); }
inline std::size_t fd_count(const Tensor4& t) { return t.size(); }
inline double* fd_elements(arma::mat& m) { return m.memptr(); }
inline std::size_t fd_count(const arma::mat& m) { return m.n_elem; }
inline double* fd_elements(arma::vec& v) { return v.memptr(); }
inline std::size_t fd_count(const arma::vec& v) { return v.n_elem; }
inline const double* fd_elements(const Tensor4& t) { return t.memptr(); }
inline const double* fd_elements(const arma::mat& m) { return m.memptr(); }
/// @endcond

/// @cond INTERNAL
inline double fd_dot(const Tensor4& a, const Tensor4& b) { return dot(a, b); }
inline double fd_dot(const arma::mat& a, const arma::mat& b) { return arma::dot(a, b); }

// g_k = difference(x + h_k e_k, x - h_k e_k) / (2 h_k) for every element k: the loop both finite-difference
// functions share. `difference(up, down)` gets x perturbed up and down at k only.
template <class T, class Difference>
T central_differences(const T& x, double relative_step, Difference&& difference) {
    T g = x, up = x, down = x;
    double* gk = fd_elements(g);
    double* uk = fd_elements(up);
    double* dk = fd_elements(down);
    for (std::size_t k = 0; k < fd_count(x); ++k) {
        const double xk = uk[k], h = fd_step(xk, relative_step);
        uk[k] = xk + h;
        dk[k] = xk - h;
        gk[k] = difference(static_cast<const T&>(up), static_cast<const T&>(down)) / (2 * h);
        uk[k] = dk[k] = xk;
    }
    return g;
}
/// @endcond

/// Central differences, \ref eq_F1 "(F1)": g_k = (L(x + h_k e_k) - L(x - h_k e_k)) / (2 h_k), one element at a time.
///
/// `loss` maps a value shaped like x (a Tensor4, arma::mat or arma::vec) to a double; the result is shaped like x.
template <class T, class Loss>
T numerical_gradient(Loss&& loss, const T& x, double relative_step = fd_default_relative_step) {
    return central_differences(x, relative_step, [&](const T& up, const T& down) { return loss(up) - loss(down); });
}

/// The numerical gradient of L(x) = <forward(x), dout>, \ref eq_N1 "(N1)": what a backward must return for x.
///
/// Computed as g_k = <forward(x + h e_k) - forward(x - h e_k), dout> / (2 h_k), \ref eq_F4 "(F4)": the outputs are
/// subtracted element by element before the sum, so that the many outputs that x_k does not reach cancel exactly
/// instead of leaving the rounding of a long sum in the difference. dout is shaped like forward's output
/// (a Tensor4 or a matrix).
template <class T, class Forward, class Out>
T numerical_vjp(Forward&& forward, const T& x, const Out& dout, double relative_step = fd_default_relative_step) {
    return central_differences(x, relative_step, [&](const T& up, const T& down) {
        Out difference = forward(up);
        const Out below = forward(down);
        double* a = fd_elements(difference);
        const double* b = fd_elements(below);
        for (std::size_t j = 0; j < fd_count(difference); ++j) a[j] -= b[j];
        return fd_dot(difference, dout);
    });
}

}  // namespace cnnbp
