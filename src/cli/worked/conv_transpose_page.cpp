// The worked results of the page \ref conv_transpose2d "Transposed convolution" (conv_common.hpp). Its input and
// weight are the conv2d page's dout and w, so that its stride-1 output is that page's dx, (U5).
#include "conv_common.hpp"

#include "cnnbp/layers/conv_transpose2d.hpp"

namespace cnnbp::cli::conv_worked {

using fmt::math;
using fmt::num;

namespace {

std::string idx(long long a, long long b) { return "[" + std::to_string(a) + "," + std::to_string(b) + "]"; }

// x (1,1,2,3) and w (1,1,2,2) from the conv2d page, stride 2, no padding: out is (1,1,4,6).
struct TransposeCase {
    Tensor4 x = conv2d_example().dout, w = conv2d_example().w;
    ConvTranspose2dParams p;
    TransposeCase() { p.stride_h = p.stride_w = 2; }
    Tensor4 out() const { return conv_transpose2d_forward(x, w, std::nullopt, p); }
    Tensor4 dout() const { return quarters(out().shape(), 5, 3); }
};

std::string transpose_example() {
    const TransposeCase k;
    const Tensor4 out = k.out(), dout = k.dout();
    const ConvTranspose2dGrads g = conv_transpose2d_backward_scatter(dout, k.x, k.w, k.p);
    const long long s = k.p.stride_h, K = k.w.h(), d = k.p.dilation_h;
    // (U6) at dx[0,1] and (U7) at dw[0,0], written out
    Terms dx01, dw00;
    for (long long u = 0; u < K; ++u)
        for (long long v = 0; v < (long long)k.w.w(); ++v)
            dx01.add(k.w(0, 0, u, v), dout(0, 0, u, s + v), "w" + idx(u, v) + "\\, \\dout" + idx(u, s + v));
    for (long long h = 0; h < (long long)k.x.h(); ++h)
        for (long long ww = 0; ww < (long long)k.x.w(); ++ww)
            dw00.add(k.x(0, 0, h, ww), dout(0, 0, s * h, s * ww), "x" + idx(h, ww) + "\\, \\dout" + idx(s * h, s * ww));
    // with stride 1: the conv2d page's dx, (U5)
    const Conv2dExample e = conv2d_example();
    const Tensor4 stride1 = conv_transpose2d_forward(k.x, k.w, std::nullopt, {});
    const Tensor4 conv_dx = conv2d_backward_scatter(e.dout, e.x, e.w, {}).dx;
    if (fmt::max_abs_diff(stride1, conv_dx) != 0)
        throw std::logic_error("conv_transpose2d page: the stride-1 output is not conv2d's dx");
    const bool tiles = s == K && d == 1;

    std::string t =
        "One sample, one channel in, one out, stride " + std::to_string(s) + ", no padding:\n" +
        fmt::display("x = " + fmt::pmatrix(k.x) + ", \\quad w = " + fmt::pmatrix(k.w) + ",") +
        fmt::display("H_{out} = (" + std::to_string(k.x.h()) + " - 1) \\cdot " + std::to_string(s) + " + " +
                     std::to_string(d) + " \\cdot (" + std::to_string(K) + " - 1) + 1 = " + std::to_string(out.h()) +
                     ", \\qquad W_{out} = " + std::to_string(out.w()) + ".");
    t +=
        std::string(tiles ? "With " + math("s = K = " + std::to_string(s)) + " the copies of \\ref eq_U1 \"(U1)\" " +
                                "tile the output without overlap, " + math("\\out[2h + u, 2w + v] = x[h, w]\\, w[u, v]")
                          : "The copies of \\ref eq_U1 \"(U1)\" add up") +
        " (cnnbp::conv_transpose2d_forward()):\n" + fmt::display("\\out = " + fmt::pmatrix(out) + ",") +
        "and an upstream gradient of that shape:\n" + fmt::display("\\dout = " + fmt::pmatrix(dout) + ".");
    t += "Backward (cnnbp::conv_transpose2d_backward_scatter()), \\ref eq_U6 \"(U6)\": " +
         math("\\dx[h, w] = \\sum_{u, v} w[u, v]\\, \\dout[2h + u, 2w + v]") + ", the stride-2 convolution of " +
         math("\\dout") +
         "; \\ref eq_U7 \"(U7)\": " + math("\\dw[u, v] = \\sum_{h, w} x[h, w]\\, \\dout[2h + u, 2w + v]") +
         ". For example\n" + fmt::display(expansion("\\dx[0,1]", dx01, g.dx(0, 0, 0, 1))) +
         fmt::display(expansion("\\dw[0,0]", dw00, g.dw(0, 0, 0, 0)));
    t += "and \\ref eq_U8 \"(U8)\", " + math("\\db") + " is the sum of " + math("\\dout") + ":\n" +
         fmt::display("\\dx = " + fmt::pmatrix(g.dx) + ", \\qquad \\dw = " + fmt::pmatrix(g.dw) +
                      ", \\qquad \\db = " + num(g.db(0)) + " .");
    t += "With stride 1 the same " + math("x") + " and " + math("w") + " give overlapping copies that add up:\n" +
         fmt::display("\\mathrm{convT}(x, w) = " + fmt::pmatrix(stride1) + ",") + "which is the " + math("\\dx") +
         " of the conv2d example (\\ref conv_example), where this " + math("x") + " was " + math("\\dout") +
         ": conv2d's input gradient is the transposed convolution of " + math("\\dout") +
         ", \\ref eq_U5 \"(U5)\". (The page's build compares the two and fails if they differ.)\n";
    return t;
}

std::string transpose_results() {
    const TransposeCase k;
    const Tensor4 out = k.out(), dout = k.dout();
    const Tensor4 out_adjoint = conv_transpose2d_forward_adjoint(k.x, k.w, std::nullopt, k.p);
    auto as_gradients = [](const char* name, ConvTranspose2dGrads g) {
        return Gradients{name, std::move(g.dx), std::move(g.dw), std::move(g.db)};
    };
    const std::vector<Gradients> forms = {
        as_gradients("scatter", conv_transpose2d_backward_scatter(dout, k.x, k.w, k.p)),
        as_gradients("conv2d", conv_transpose2d_backward(dout, k.x, k.w, k.p))};
    auto fx = [&](const Tensor4& xx) { return conv_transpose2d_forward(xx, k.w, std::nullopt, k.p); };
    auto fw = [&](const Tensor4& ww) { return conv_transpose2d_forward(k.x, ww, std::nullopt, k.p); };
    const Tensor4 ndx = numerical_vjp(fx, k.x, dout), ndw = numerical_vjp(fw, k.w, dout);
    std::string t =
        "cnnbp::conv_transpose2d_forward() and cnnbp::conv_transpose2d_backward_scatter() on the " +
        std::string("example above (stride 2):\n") +
        program_output(
            {{"x", &k.x}, {"w", &k.w}, {"out", &out}, {"dout", &dout}, {"dx", &forms[0].dx}, {"dw", &forms[0].dw}},
            {{"db", &forms[0].db}});
    t += fmt::bold("The two forward forms agree") + ": the scatter definition and conv2d's dx map " +
         "(cnnbp::conv_transpose2d_forward_adjoint()) differ by " +
         math(fmt::sci(fmt::max_abs_diff(out, out_adjoint))) + " at most.\n\n" +
         fmt::bold("The two backward forms agree") + ": the derivative of the scatter against conv2d's maps " +
         "(cnnbp::conv_transpose2d_backward()):\n" + forms_table(forms);
    t += fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") +
         " (cnnbp::numerical_vjp(), \\ref eq_F4 \"(F4)\"):\n" +
         fd_table({fd_row("\\dx[0, 0, 1, 2]", forms[0].dx(0, 0, 1, 2), ndx(0, 0, 1, 2)),
                   fd_row("\\dw[0, 0, 1, 1]", forms[0].dw(0, 0, 1, 1), ndw(0, 0, 1, 1))});
    return t;
}

}  // namespace

std::vector<Artifact> conv_transpose_worked() {
    return {{"conv_transpose2d-example", "transposed convolution page: stride 2 and stride 1 on the conv2d page's dout",
             transpose_example},
            {"conv_transpose2d", "transposed convolution page, results: the program's output, both forms of each pass",
             transpose_results}};
}

}  // namespace cnnbp::cli::conv_worked
