// im2col and col2im: the layout of (M1) and the adjoint identity that makes col2im the backward of im2col.
#include "cnnbp/layers/im2col.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;
using namespace cnnbp::testing;

TEST_CASE("im2col: row (c' K_h + u) K_w + v, column (n H' + i) W' + j, zeros from the padding", "[im2col][example]") {
    Tensor4 x(2, 2, 3, 3);
    for (arma::uword n = 0; n < 2; ++n)
        for (arma::uword c = 0; c < 2; ++c)
            for (arma::uword h = 0; h < 3; ++h)
                for (arma::uword w = 0; w < 3; ++w) x(n, c, h, w) = 1000.0 * n + 100.0 * c + 10.0 * h + w + 1;
    const Window2d g{2, 2, 2, 1, {1, 0, 0, 0}, 1, 1};  // 2x2 kernel, stride (2,1), one row of padding on top
    const OutputSize o = output_size("test", g, 3, 3);  // H' = floor((4-2)/2)+1 = 2, W' = 2
    REQUIRE(o.h == 2);
    REQUIRE(o.w == 2);
    const arma::mat cols = im2col(x, 0, 2, g, o);
    REQUIRE(cols.n_rows == 2 * 2 * 2);
    REQUIRE(cols.n_cols == 2 * 2 * 2);
    for (arma::uword n = 0; n < 2; ++n)
        for (arma::uword c = 0; c < 2; ++c)
            for (int u = 0; u < 2; ++u)
                for (int v = 0; v < 2; ++v)
                    for (arma::uword i = 0; i < 2; ++i)
                        for (arma::uword j = 0; j < 2; ++j) {
                            const long long h = (long long)i * 2 + u - 1, w = (long long)j + v;
                            const double want = h < 0 ? 0.0 : x(n, c, h, w);
                            CHECK(cols((c * 2 + u) * 2 + v, (n * 2 + i) * 2 + j) == want);
                        }
}

TEST_CASE("im2col: properties", "[im2col][property]") {
    rc::prop("col2im is the adjoint of im2col: <im2col(x), Y> == <x, col2im(Y)>", [](const ConvCase& k) {
        const Conv2dShape s = conv2d_shape("property", k.x.shape(), k.w.shape(), k.b, k.p);
        const arma::mat cols = im2col(k.x, 0, k.x.c(), s.window, s.out);
        arma::mat Y(cols.n_rows, cols.n_cols);
        const Tensor4 y = *gen_tensor({1, 1, Y.n_rows, Y.n_cols});
        Y = y.plane(0, 0);
        Tensor4 back(k.x.shape());
        col2im_add(Y, 0, k.x.c(), s.window, s.out, back);
        CNNBP_RC_CLOSE(compare("<x, col2im(Y)>", dot(k.x, back), arma::accu(cols % Y), exact));
    });
}
