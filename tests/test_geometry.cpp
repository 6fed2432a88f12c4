// Window geometry: the output-size formula (G1) against a brute-force count, and its errors.
#include "cnnbp/error.hpp"
#include "cnnbp/geometry.hpp"
#include "support/compare.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;

TEST_CASE("output size: the floor formula counts the window positions", "[geometry][property]") {
    rc::prop("output_size_1d equals a brute-force count of the windows that fit in the padded input", [] {
        const long long n = *rc::gen::inRange(0, 21), k = *rc::gen::inRange(1, 6), s = *rc::gen::inRange(1, 5);
        const long long lo = *rc::gen::inRange(0, 5), hi = *rc::gen::inRange(0, 5), d = *rc::gen::inRange(1, 5);
        long long count = 0;  // windows start at 0, s, 2s, ...; one fits when its last tap i s + (K-1) d is inside
        for (long long start = 0; start + d * (k - 1) <= n + lo + hi - 1; start += s) ++count;
        RC_ASSERT(output_size_1d(n, k, s, lo, hi, d) == count);
    });
}

TEST_CASE("output size: worked numbers of the derivation", "[geometry][example]") {
    // (G1) with H = 7, K = 3, s = 2, p = 1 + 1, d = 1: floor((7 + 2 - 2 - 1) / 2) + 1 = floor(6/2) + 1 = 4
    CHECK(output_size_1d(7, 3, 2, 1, 1, 1) == (7 + 2 - 1 * (3 - 1) - 1) / 2 + 1);
    // H = 6 leaves a remainder: floor((6 + 2 - 3) / 2) + 1 = floor(2.5) + 1 = 3, the last input row unused
    CHECK(output_size_1d(6, 3, 2, 1, 1, 1) == 3);
    // dilation 2 makes a 3-tap kernel span 5 pixels: floor((5 - 5) / 1) + 1 = 1
    CHECK(output_size_1d(5, 3, 1, 0, 0, 2) == 1);
    CHECK(output_size_1d(4, 3, 1, 0, 0, 2) == 0);
}

TEST_CASE("output size: invalid windows throw cnnbp::Error with the parameter and the numbers", "[geometry][errors]") {
    Window2d g{3, 3, 1, 1, {}, 1, 1};
    CHECK(output_size("f", g, 5, 6).h == 3);
    CHECK(output_size("f", g, 5, 6).w == 4);
    g.kernel_w = 0;
    CNNBP_CHECK_THROWS(output_size("f", g, 5, 5), "f: kernel_w must be >= 1, got 0");
    g = {3, 3, 1, 1, {0, -1, 0, 0}, 1, 1};
    CNNBP_CHECK_THROWS(output_size("f", g, 5, 5), "padding bottom must be >= 0, got -1");
    g = {3, 4, 1, 1, {}, 1, 2};
    CNNBP_CHECK_THROWS(output_size("pool", g, 9, 6), "pool: the dilated kernel width d(K-1)+1 = 2*(4-1)+1 = 7 is larger than "
                                                   "the padded input width 6+0+0 = 6");
}
