// Every tolerance the tests use, with where it comes from. Nothing else in tests/ may invent one.
#pragma once

#include "support/compare.hpp"

#include <algorithm>
#include <cmath>

namespace cnnbp::testing {

// Two forms of the same gradient (scatter, gather, closed, matrix) sum the same products in different orders.
// The generators draw every value as a multiple of 1/16 in [-2, 2] (see generators.hpp); each product is then
// a multiple of 1/256 below 4 and a sum of a few thousand of them needs at most ~30 significant bits, so every
// form is exact and they agree to the last bit. 1e-12 relative to the tensor's largest element (the bound the
// issue asks for) therefore only absorbs reordering in hand-written tests with non-dyadic values, where each
// sum of m terms carries at most m * 2^-53 relative error (m <= 4*4*4*3*9*9 ~ 2e4 gives ~2e-12 in the very
// worst case, and that worst case needs every rounding to go the same way).
inline constexpr Tolerance forms_agree{1e-12, 0.0};

// The same two forms on values that are not dyadic (after a sigmoid or tanh): each sum of m terms then carries a
// rounding error of at most about m eps times the sum of its terms' magnitudes, and the terms may cancel to a result
// far smaller than they are (a db of 1.4e-7 from deltas of 0.1), so the bound must be relative to those magnitudes,
// `terms` (an upper bound of them), not to the result: 1e-12 of it covers m up to ~4000 as above.
inline Tolerance forms_agree_with_terms(double terms) { return {1e-12, 1e-12 * terms}; }

// Central differences with power-of-two steps (gradcheck.hpp, (F3)) on dyadic data: x +- h is exact, the
// layers tested here are linear in each argument so the truncation error (F2) vanishes, and the sums
// are exact as above. The numerical gradient is then exact; 1e-10 relative to the tensor's largest
// element leaves room for nothing but the last bits, while a wrong formula moves at least one element
// by a multiple of 1/256 (usually far more).
inline constexpr Tolerance finite_differences{1e-10, 0.0};

// Central differences (F4) of a layer that divides or evaluates a transcendental function (average pooling's
// 1/D, sigmoid, tanh, the losses). (F2) bounds the error by the truncation h^2/6 |L3| (L3 the third derivative)
// plus the rounding. With the generators' values (|x| <= 5, so h <= 2^-15) and |L3| <= 2 |dout| for sigmoid and
// tanh (less for the others), truncation is below (2^-15)^2 / 6 * 2 * 2 ~ 6e-10; each output touched by x_k
// carries a relative rounding error of a few eps, at most ~8 * 1.1e-16 * 5 / 2^-18 ~ 1.2e-9 after dividing by 2h,
// and at most K_h K_w <= 16 outputs are touched. Both together stay below 3e-8; the gradients compared are at least
// ~1/16 in their largest element, so 1e-6 relative to it keeps a margin of about two over the worst case and is
// still ~10^4 times smaller than what any mistake in the zoo changes (1/16 or more).
inline constexpr Tolerance smooth_finite_differences{1e-6, 0.0};

// Central differences (F1) of a whole network's scalar loss. Beside the relative bound above, the rounding term of
// (F2) is absolute: each evaluation of the loss L carries an error of a few eps times the size of its terms, and
// the terms of the quadratic cost and of cross-entropy are all >= 0, so their size is |L| itself. Divided by 2h
// (h >= 2^-18 for |theta| <= 1, the default step's smallest), that is ~eps |L| / h; a factor 16 covers the roundings
// inside the layers before the loss. Gradients much smaller than this (a saturated sigmoid, a dead relu) cannot be
// resolved by finite differences at all, and this floor says so instead of failing on noise.
inline Tolerance loss_finite_differences(double loss) {
    return {smooth_finite_differences.rel, 16 * 2.220446049250313e-16 * std::max(1.0, std::abs(loss)) / 0x1p-18};
}

// Two libraries evaluating exp, log and tanh (libm here, PyTorch's kernels there) may differ by an ulp or two in
// each call, so their results are compared with bounds taken from the condition of each formula (eps = 2^-52):
// - a value such as sigmoid(x), tanh(x): relative 4 eps;
// - a derivative dout (1 - t^2) or dout s (1 - s): the subtraction turns the relative error of t into an absolute
//   one, 2 |t| |dt| <= 4 eps, times |dout|: absolute 8 eps max|dout|;
// - the cross-entropy logsumexp(z) - z_y, a difference of terms of size max|z| + log M: absolute
//   8 eps (1 + max|z| + log M); its gradient softmax(z) - onehot / N, a difference of terms <= 1: absolute 8 eps.
inline constexpr double eps = 2.220446049250313e-16;
inline constexpr Tolerance transcendental_value{4 * eps, 0.0};
inline Tolerance transcendental_derivative(double max_abs_dout) { return {0.0, 8 * eps * max_abs_dout}; }
inline Tolerance cross_entropy_loss(double max_abs_z, double classes) {
    return {0.0, 8 * eps * (1 + max_abs_z + std::log(classes))};
}
inline constexpr Tolerance cross_entropy_gradient{0.0, 8 * eps};

// Two inner products that must be equal (an adjoint identity <f(x), y> == <x, f^T(y)>) may both be near 0 by
// cancellation, so their agreement is measured against the size of their terms, Lambda = sum |a_i b_i| over both
// sides: each sum of m terms carries at most m eps Lambda of rounding, and the layers' own divisions add a few eps
// per term. forms_agree.rel (1e-12) relative to Lambda covers m up to ~4000 terms.
inline Tolerance inner_products_agree(double lambda) { return {0.0, forms_agree.rel * lambda}; }

// Identities that hold exactly in real arithmetic and are evaluated on dyadic data (adjoint identities,
// linearity in dout, hand-worked examples): equal up to the last bit of the largest term.
inline constexpr Tolerance exact{1e-14, 0.0};

}  // namespace cnnbp::testing
