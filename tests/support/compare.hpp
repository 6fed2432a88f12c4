// The one comparison helper for tensors: element by element, reporting what a reader needs to act on a
// failure (the shape mismatch, or the worst element's index with both values and the tolerance).
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <armadillo>
#include <cmath>
#include <sstream>
#include <string>

namespace cnnbp::testing {

// An element passes when |actual - expected| <= abs + rel * scale, where scale is the largest magnitude in
// either tensor: relative to the tensor, not to the element, because an element that cancels to ~0 has no
// meaningful relative error.
struct Tolerance {
    double rel = 0.0, abs = 0.0;
};

struct Comparison {
    bool ok = true;
    std::string report;  // empty when ok
    explicit operator bool() const { return ok; }
};

namespace detail {
inline std::string index_of(const Shape4& s, arma::uword k) {
    // storage order: slice n*C + c, then column w, then row h
    const arma::uword plane = s.h * s.w, slice = k / plane, in = k % plane;
    std::ostringstream os;
    os << '(' << slice / s.c << ',' << slice % s.c << ',' << in % s.h << ',' << in / s.h << ')';
    return os.str();
}
inline std::string index_of(const arma::SizeMat& s, arma::uword k) {
    if (s.n_cols == 1) return "(" + std::to_string(k) + ")";
    return "(" + std::to_string(k % s.n_rows) + "," + std::to_string(k / s.n_rows) + ")";
}

template <class Shape>
Comparison compare_elements(const std::string& name, const double* a, const double* e, arma::uword count,
                            const Shape& shape, Tolerance tol) {
    double scale = 0.0;
    for (arma::uword k = 0; k < count; ++k) scale = std::max({scale, std::abs(a[k]), std::abs(e[k])});
    const double bound = tol.abs + tol.rel * scale;
    arma::uword worst = 0;
    double worst_err = -1.0;
    bool ok = true;
    for (arma::uword k = 0; k < count; ++k) {
        const double err = std::abs(a[k] - e[k]);
        if (!(err <= bound)) ok = false;  // also catches NaN
        if (!(err <= worst_err)) worst_err = err, worst = k;
    }
    if (ok) return {};
    std::ostringstream os;
    os.precision(17);
    os << name << ": worst element " << index_of(shape, worst) << " is " << a[worst] << ", expected " << e[worst]
       << " (|difference| " << worst_err << " > tolerance " << bound << " = " << tol.abs << " + " << tol.rel
       << " * " << scale << ")";
    return {false, os.str()};
}
}  // namespace detail

inline Comparison compare(const std::string& name, const Tensor4& actual, const Tensor4& expected, Tolerance tol) {
    if (!(actual.shape() == expected.shape()))
        return {false, name + ": shape " + to_string(actual.shape()) + " but expected " + to_string(expected.shape())};
    return detail::compare_elements(name, actual.memptr(), expected.memptr(), actual.size(), actual.shape(), tol);
}

inline Comparison compare(const std::string& name, const arma::vec& actual, const arma::vec& expected,
                          Tolerance tol) {
    if (actual.n_elem != expected.n_elem)
        return {false, name + ": " + std::to_string(actual.n_elem) + " elements but expected " +
                           std::to_string(expected.n_elem)};
    return detail::compare_elements(name, actual.memptr(), expected.memptr(), actual.n_elem,
                                    arma::SizeMat(actual.n_elem, 1), tol);
}

inline Comparison compare(const std::string& name, const arma::mat& actual, const arma::mat& expected, Tolerance tol) {
    if (actual.n_rows != expected.n_rows || actual.n_cols != expected.n_cols)
        return {false, name + ": " + std::to_string(actual.n_rows) + " x " + std::to_string(actual.n_cols) +
                           " but expected " + std::to_string(expected.n_rows) + " x " + std::to_string(expected.n_cols)};
    return detail::compare_elements(name, actual.memptr(), expected.memptr(), actual.n_elem,
                                    arma::SizeMat(actual.n_rows, actual.n_cols), tol);
}

inline Comparison compare(const std::string& name, double actual, double expected, Tolerance tol) {
    const arma::vec a{actual}, e{expected};
    return compare(name, a, e, tol);
}

}  // namespace cnnbp::testing

// In a RapidCheck property: fail with the comparison's report.
#define CNNBP_RC_CLOSE(comparison)                                  \
    do {                                                            \
        const auto cnnbp_cmp_ = (comparison);                       \
        if (!cnnbp_cmp_.ok) RC_FAIL(cnnbp_cmp_.report);             \
    } while (0)

// In a Catch2 test: check, printing the comparison's report on failure.
#define CNNBP_CHECK_CLOSE(comparison)                               \
    do {                                                            \
        const auto cnnbp_cmp_ = (comparison);                       \
        INFO(cnnbp_cmp_.report);                                    \
        CHECK(cnnbp_cmp_.ok);                                       \
    } while (0)

// In a Catch2 test: `expr` throws cnnbp::Error whose message contains `fragment`.
#define CNNBP_CHECK_THROWS(expr, fragment)                                   \
    do {                                                                     \
        CHECK_THROWS_AS(expr, cnnbp::Error);                                 \
        CHECK_THROWS_WITH(expr, Catch::Matchers::Contains(fragment));        \
    } while (0)
