// The finite-difference module itself: steps, and that it measures a known gradient.
#include "cnnbp/core/gradcheck.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace cnnbp;

TEST_CASE("gradcheck: the step is a power of two near relative_step * max(1, |x|)", "[gradcheck]") {
    for (double x : {0.0, 0.3, -1.0, 2.5, -1000.0, 1e6}) {
        const double h = fd_step(x);
        int e = 0;
        CHECK(std::frexp(h, &e) == 0.5);  // a power of two
        const double target = fd_default_relative_step * std::max(1.0, std::abs(x));
        CHECK(h <= target);
        CHECK(2 * h > target);
        CHECK((x + h) - x == h);  // the step is represented exactly
    }
}

TEST_CASE("gradcheck: central differences recover the gradient of a smooth function", "[gradcheck]") {
    // L(v) = sum_k sin(k v_k) + v_0 v_1, gradient k cos(k v_k) + [v_1, v_0, 0, ...]. Truncation error (F2) is
    // h^2 / 6 |L'''| <= (2^-17)^2 / 6 * 27 ~ 3e-10 here; the rounding error ~ eps |L| / h ~ 1e-11.
    const arma::vec v{0.25, -0.5, 1.25, 2.0};
    auto L = [](const arma::vec& u) {
        double s = u(0) * u(1);
        for (arma::uword k = 0; k < u.n_elem; ++k) s += std::sin(double(k + 1) * u(k));
        return s;
    };
    const arma::vec g = numerical_gradient(L, v);
    for (arma::uword k = 0; k < v.n_elem; ++k) {
        double want = double(k + 1) * std::cos(double(k + 1) * v(k));
        if (k == 0) want += v(1);
        if (k == 1) want += v(0);
        CHECK(std::abs(g(k) - want) < 1e-9);
    }
}

TEST_CASE("gradcheck: central_difference takes (F1) on one element in place, as numerical_gradient does",
          "[gradcheck]") {
    arma::mat theta = {{0.7, -1.3}, {2.0, 0.25}};
    const arma::mat before = theta;
    auto L = [](const arma::mat& t) { return arma::accu(arma::pow(t, 3)) + t(0, 1) * t(1, 0); };
    auto loss = [&] { return L(theta); };  // L at theta as it is now, with theta_k moved
    const arma::mat all = numerical_gradient(L, theta);
    for (arma::uword k = 0; k < theta.n_elem; ++k) {
        const CentralDifference d = central_difference(theta(k), loss);
        CHECK(d.h == fd_step(before(k)));
        CHECK(d.value == all(k));                           // the same quotient, bit for bit
        CHECK(arma::approx_equal(theta, before, "absdiff", 0.0));  // theta_k restored
    }
    // L = t^3 at t = 1: the central difference is off by h^2 (about 1.5e-11); the forward difference
    // (L(t + h) - L(t)) / h, the classic shortcut, is off by 3h (about 1.1e-5), far beyond 1e-9.
    double t = 1.0;
    const CentralDifference d = central_difference(t, [&] { return t * t * t; });
    CHECK(std::abs(d.value - 3.0) < 1e-9);
    const double forward_difference = ((1.0 + d.h) * (1.0 + d.h) * (1.0 + d.h) - 1.0) / d.h;
    CHECK(std::abs(forward_difference - 3.0) > 1e-9);
}

TEST_CASE("gradcheck: numerical_vjp differentiates <forward(x), dout>", "[gradcheck]") {
    // forward(x) = x squared elementwise, so d<x^2, dout>/dx = 2 x dout, exactly for these dyadic values
    Tensor4 x(1, 2, 1, 2), dout(1, 2, 1, 2);
    for (arma::uword k = 0; k < 4; ++k) x.memptr()[k] = 0.5 * double(k) - 0.75, dout.memptr()[k] = double(k) + 1;
    const Tensor4 g = numerical_vjp(
        [](const Tensor4& t) {
            Tensor4 o = t;
            o.data() = arma::square(t.data());
            return o;
        },
        x, dout);
    for (arma::uword k = 0; k < 4; ++k) CHECK(g.memptr()[k] == 2 * x.memptr()[k] * dout.memptr()[k]);
}
