// Window geometry: the output-size formula (G1) against a brute-force count, and its errors.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/geometry.hpp"
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

TEST_CASE("output size: ceil_mode", "[geometry][property]") {
    rc::prop("output_size_1d with ceil_mode equals a brute-force count", [] {
        // pooling's domain: each padding at most floor(K/2)
        const long long k = *rc::gen::inRange(1, 6), s = *rc::gen::inRange(1, 5), d = *rc::gen::inRange(1, 4);
        const long long lo = *rc::gen::inRange(0LL, k / 2 + 1), hi = *rc::gen::inRange(0LL, k / 2 + 1);
        const long long n = *rc::gen::inRange(0, 21), padded = n + lo + hi, extent = d * (k - 1) + 1;
        // window i exists when it starts before the high padding and the window before it (if any) did not already
        // reach the last padded position; and at least one window must fit at all
        long long count = 0;
        if (padded >= extent)
            for (long long i = 0; i * s < n + lo && (i == 0 || (i - 1) * s + extent < padded); ++i) ++count;
        RC_ASSERT(output_size_1d(n, k, s, lo, hi, d, true) == count);
    });
    // W = 5, K = 2, s = 2: floor((5-2)/2)+1 = 2, ceil gives 3 with the last window overhanging
    CHECK(output_size_1d(5, 2, 2, 0, 0, 1, false) == 2);
    CHECK(output_size_1d(5, 2, 2, 0, 0, 1, true) == 3);
    // W = 4, K = 2, s = 2, right padding 1: ceil((5-2)/2)+1 = 3, but window 2 would start at 4 = W + p_lo: dropped
    CHECK(output_size_1d(4, 2, 2, 0, 1, 1, true) == 2);
}

TEST_CASE("window_at: the window that puts a tap on a padded position", "[geometry]") {
    CHECK(window_at(6, 2, 4) == 3);
    CHECK(window_at(5, 2, 4) == -1);  // between two windows' starts
    CHECK(window_at(-2, 2, 4) == -1);
    CHECK(window_at(8, 2, 4) == -1);  // window 4 does not exist
}
