// The worked results of the page \ref conv_matrix "The matrix form": im2col, the products (M2) and (M3) and col2im
// on one small case, each compared with the definition (conv_common.hpp).
#include "conv_common.hpp"

#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/layers/im2col.hpp"

namespace cnnbp::cli::conv_worked {

using fmt::math;
using fmt::num;

namespace {

// x (1,1,2,3), w (1,1,2,2), stride 1, padding bottom 1 and left 1: H' = 2, W' = 3, so cols is 4 x 6.
struct MatrixCase {
    Tensor4 x = plane({{0.5, -1, 0.75}, {1, 0.25, -0.5}}), w = plane({{1, -0.5}, {0.25, 0.75}});
    Conv2dParams p;
    MatrixCase() { p.pad = {0, 1, 1, 0}; }
    Conv2dShape shape() const { return conv2d_shape("conv_matrix page", x.shape(), w.shape(), std::nullopt, p); }
    Tensor4 dout() const { return quarters(conv2d_forward(x, w, std::nullopt, p).shape(), 5, 8); }
};

// The filters as rows, W[f, (c' K_h + u) K_w + v] = w[f, c', u, v] (one group).
arma::mat filter_rows(const Tensor4& w) {
    arma::mat W(w.n(), w.c() * w.h() * w.w());
    for (arma::uword f = 0; f < w.n(); ++f)
        for (arma::uword c = 0; c < w.c(); ++c)
            for (arma::uword u = 0; u < w.h(); ++u)
                for (arma::uword v = 0; v < w.w(); ++v)
                    W(f, (c * w.h() + u) * w.w() + v) = w(f, c, u, v);
    return W;
}

// A tensor's planes as rows, row f, column (n H' + i) W' + j: (M2)'s layout of out and dout.
arma::mat output_rows(const Tensor4& t) {
    arma::mat m(t.c(), t.n() * t.h() * t.w());
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword f = 0; f < t.c(); ++f)
            for (arma::uword i = 0; i < t.h(); ++i)
                for (arma::uword j = 0; j < t.w(); ++j)
                    m(f, (n * t.h() + i) * t.w() + j) = t(n, f, i, j);
    return m;
}

std::string must_be_zero(const std::string& what, double d) {
    if (d != 0) throw std::logic_error("conv_matrix page: " + what + " differs from the definition");
    return math(num(d));
}

std::string matrix_example() {
    const MatrixCase k;
    const Conv2dShape s = k.shape();
    const arma::mat cols = im2col(k.x, 0, k.x.c(), s.window, s.out);
    const arma::mat W = filter_rows(k.w);
    const arma::mat out_g = W * cols;
    const Tensor4 dout = k.dout();
    const arma::mat dout_g = output_rows(dout);
    const arma::mat dW = dout_g * cols.t(), dcols = W.t() * dout_g;
    Tensor4 dx(k.x.shape());
    col2im_add(dcols, 0, k.x.c(), s.window, s.out, dx);
    const Conv2dGrads scatter = conv2d_backward_scatter(dout, k.x, k.w, k.p);

    std::string t = "One sample, one channel, one filter, stride 1, padding " + math("p_{bottom} = 1, p_{left} = 1") +
                    " (the others 0), so " +
                    math("H' = " + std::to_string(s.out.h) + ", W' = " + std::to_string(s.out.w)) + ":\n" +
                    fmt::display("x = " + fmt::pmatrix(k.x) + ", \\qquad w = " + fmt::pmatrix(k.w) + ".");
    t += "cnnbp::im2col() copies window " + math("(i, j)") + " into column " + math("i W' + j") + ", tap " +
         math("(u, v)") + " into row " + math("u K_w + v") + ", \\ref eq_M1 \"(M1)\" (the zeros of the first " +
         "column's window are the padding), and the filter becomes one row:\n" +
         fmt::display("\\mathrm{cols} = " + fmt::pmatrix(cols) + ", \\qquad W = " + fmt::pmatrix(W) + ".");
    t += "The forward is one product, \\ref eq_M2 \"(M2)\"; its entries, row by row, are " + math("\\out") +
         " (largest difference from cnnbp::conv2d_forward(): " +
         must_be_zero("out", arma::abs(out_g - output_rows(conv2d_forward(k.x, k.w, std::nullopt, k.p))).max()) +
         "):\n" + fmt::display("W\\, \\mathrm{cols} = " + fmt::pmatrix(out_g) + ".");
    t += "Backward, \\ref eq_M3 \"(M3)\", with " + math("\\dout") + " laid out the same way:\n" +
         fmt::display("\\dout_g = " + fmt::pmatrix(dout_g) +
                      ", \\qquad dW = \\dout_g\\, \\mathrm{cols}^T = " + fmt::pmatrix(dW) + ",") +
         fmt::display("d\\mathrm{cols} = W^T \\dout_g = " + fmt::pmatrix(dcols) + ".");
    t += "cnnbp::col2im_add() adds every entry of " + math("d\\mathrm{cols}") + " back onto the pixel it was copied " +
         "from and drops the padding's, \\ref eq_M4 \"(M4)\":\n" + fmt::display("\\dx = " + fmt::pmatrix(dx) + ".");
    t += "The scatter form, cnnbp::conv2d_backward_scatter(), gives the same " + math("\\dx") + " and " + math("\\dw") +
         ": largest differences " + must_be_zero("dx", fmt::max_abs_diff(dx, scatter.dx)) + " and " +
         must_be_zero("dw", arma::abs(dW - filter_rows(scatter.dw)).max()) + ".\n";
    return t;
}

std::string matrix_results() {
    const MatrixCase k;
    const Conv2dShape s = k.shape();
    const Tensor4 out = conv2d_forward_matrix(k.x, k.w, std::nullopt, k.p), dout = k.dout();
    const std::vector<Gradients> forms = conv2d_forms(dout, k.x, k.w, k.p);
    const arma::mat cols = im2col(k.x, 0, k.x.c(), s.window, s.out);
    const arma::mat Y = quarters({1, 1, cols.n_rows, cols.n_cols}, 7, 2).plane(0, 0);
    Tensor4 back(k.x.shape());
    col2im_add(Y, 0, k.x.c(), s.window, s.out, back);
    const double lhs = arma::dot(cols, Y), rhs = dot(k.x, back);
    if (lhs != rhs) throw std::logic_error("conv_matrix page: col2im is not the adjoint of im2col");
    auto fx = [&](const Tensor4& xx) { return conv2d_forward_matrix(xx, k.w, std::nullopt, k.p); };
    const Tensor4 ndx = numerical_vjp(fx, k.x, dout);
    const Gradients& m = forms[3];
    std::string t =
        "cnnbp::conv2d_forward_matrix() and cnnbp::conv2d_backward_matrix() on the example above:\n" +
        program_output({{"x", &k.x}, {"w", &k.w}, {"out", &out}, {"dout", &dout}, {"dx", &m.dx}, {"dw", &m.dw}},
                       {{"db", &m.db}});
    t += fmt::bold("col2im is the adjoint of im2col") + ", \\ref eq_N2 \"(N2)\": for a matrix " + math("Y") +
         " of quarters shaped like cols, " + math("\\ip{\\mathrm{im2col}(x)}{Y} = " + num(lhs)) + " and " +
         math("\\ip{x}{\\mathrm{col2im}(Y)} = " + num(rhs)) + ".\n\n";
    t += fmt::bold("The matrix form agrees with the other three") + " (the forward with the definition by " +
         math(fmt::sci(fmt::max_abs_diff(out, conv2d_forward(k.x, k.w, std::nullopt, k.p)))) + "):\n" +
         forms_table(forms);
    t += fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") + " (cnnbp::numerical_vjp()):\n" +
         fd_table({fd_row("\\dx[0, 0, 1, 0]", m.dx(0, 0, 1, 0), ndx(0, 0, 1, 0))});
    return t;
}

}  // namespace

std::vector<Artifact> conv_matrix_worked() {
    return {
        {"conv_matrix-example", "matrix form page: im2col, the two products and col2im on a 2x3 input", matrix_example},
        {"conv_matrix", "matrix form page, results: the program's output, adjointness, the four forms",
         matrix_results}};
}

}  // namespace cnnbp::cli::conv_worked
