// The worked results of the page \ref stride_dilation "Stride and dilation": the closed form's steps (S1)-(S4) on one
// small case, each plane computed here by its own loops and the result compared with the library's forms
// (conv_common.hpp).
#include "conv_common.hpp"
#include "../docs/closed_form.hpp"

#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/layers/pad2d.hpp"

#include <cctype>

namespace cnnbp::cli::conv_worked {

using fmt::math;
using fmt::num;

namespace {

// x (1,1,4,5), w (1,1,2,3), stride 2, dilation (2, 1), padding top 1, bottom 0, left 1, right 0: H' = W' = 2, the
// odd padded rows fall between the taps, the windows overlap along the columns, and the last input column is in no
// window.
struct StrideCase {
    Tensor4 x = quarters({1, 1, 4, 5}, 5, 7), w = plane({{1, -0.5, 0.25}, {0.5, 0.25, -1}});
    Conv2dParams p;
    StrideCase() {
        p.stride_h = p.stride_w = 2;
        p.dilation_h = 2;
        p.pad = {1, 0, 1, 0};
    }
    Tensor4 xp() const { return pad2d_forward(x, p.pad); }
    Tensor4 out() const { return conv2d_forward(x, w, std::nullopt, p); }
    Tensor4 dout() const { return plane({{0.5, -1}, {0.75, 0.25}}); }
};

// (S4): the valid cross-correlation, C[alpha, beta] = sum over a, b of A[alpha + a, beta + b] B[a, b].
arma::mat valid_cross_correlation(const arma::mat& A, const arma::mat& B) {
    arma::mat C(A.n_rows - B.n_rows + 1, A.n_cols - B.n_cols + 1, arma::fill::zeros);
    for (arma::uword al = 0; al < C.n_rows; ++al)
        for (arma::uword be = 0; be < C.n_cols; ++be)
            for (arma::uword a = 0; a < B.n_rows; ++a)
                for (arma::uword b = 0; b < B.n_cols; ++b)
                    C(al, be) += A(al + a, be + b) * B(a, b);
    return C;
}

// Entries where `keep` holds in bold.
std::string bold_where(const arma::mat& m, const std::function<bool(arma::uword, arma::uword)>& keep) {
    return fmt::pmatrix(m, [&](arma::uword i, arma::uword j, const std::string& text) {
        return keep(i, j) ? "\\mathbf{" + text + "}" : text;
    });
}

std::string same_as(const std::string& what, double scatter, double closed) {
    if (scatter != 0 || closed != 0) throw std::logic_error("stride and dilation: the steps' " + what + " differs");
    return "These steps give the " + math(what) + " of the scatter form, cnnbp::conv2d_backward_scatter(), which " +
           "never dilates anything: the largest difference between the two is " + math(num(scatter)) + ", and " +
           math(num(closed)) + " from cnnbp::conv2d_backward_closed(), which takes the same steps with " +
           "`arma::conv2`.\n\n";
}

// The input rows and columns whose gradient is zero: between the dilated taps, or after the last window (G2).
std::string unreached(const arma::mat& dx) {
    std::vector<std::string> parts;
    auto collect = [&](const char* what, arma::uword count, auto&& zero) {
        std::vector<arma::uword> idx;
        for (arma::uword k = 0; k < count; ++k)
            if (zero(k)) idx.push_back(k);
        if (idx.empty()) return;
        std::string list;
        for (std::size_t k = 0; k < idx.size(); ++k)
            list += (k ? (k + 1 == idx.size() ? " and " : ", ") : "") + std::to_string(idx[k]);
        parts.push_back(std::string("input ") + what + (idx.size() > 1 ? "s " : " ") + list);
    };
    collect("row", dx.n_rows, [&](arma::uword i) { return !arma::any(dx.row(i)); });
    collect("column", dx.n_cols, [&](arma::uword j) { return !arma::any(dx.col(j)); });
    if (parts.empty()) return "";
    std::string s;
    for (std::size_t k = 0; k < parts.size(); ++k)
        s += (k ? " and " : "") + parts[k];
    s[0] = char(std::toupper(s[0]));
    return s + " get no gradient: no window reads them. With " + math("s_h = d_h = 2") + " every tap sits on an " +
           "even padded row " + math("a = i s_h + u d_h") + ", so the odd ones fall between the taps; a column after " +
           "the last window's last tap is left out by the floor, \\ref eq_G2 \"(G2)\".\n\n";
}

std::string stride_dx() {
    const StrideCase k;
    const Conv2dParams& p = k.p;
    const Tensor4 xp = k.xp(), dout = k.dout();
    const arma::mat ds = spread(dout.plane(0, 0), p.stride_h, p.stride_w);
    const arma::mat wd = spread(k.w.plane(0, 0), p.dilation_h, p.dilation_w);
    const arma::mat full = full_convolution(ds, wd);
    arma::mat dxp(xp.h(), xp.w(), arma::fill::zeros);  // the padded input's gradient: full, then zeros (G2)
    dxp.submat(0, 0, full.n_rows - 1, full.n_cols - 1) = full;
    const arma::mat dx = dxp.submat(p.pad.top, p.pad.left, p.pad.top + k.x.h() - 1, p.pad.left + k.x.w() - 1);
    Tensor4 steps(k.x.shape());
    steps.plane(0, 0) = dx;
    const Tensor4 scatter = conv2d_backward_scatter(dout, k.x, k.w, p).dx;
    const Tensor4 closed = conv2d_backward_closed(dout, k.x, k.w, p).dx;

    const auto inside = [&](arma::uword i, arma::uword j) {
        return i >= arma::uword(p.pad.top) && i < p.pad.top + k.x.h() && j >= arma::uword(p.pad.left) &&
               j < p.pad.left + k.x.w();
    };
    std::string s = "One sample, one channel, one filter: " + math("x") + " is " + math("4 \\times 5") + ", " +
                    math("w") + " is " + math("2 \\times 3") + ", stride " + math("s_h = s_w = 2") + ", dilation " +
                    math("d_h = 2, d_w = 1") + ", padding " +
                    math("p_{top} = 1, p_{bottom} = 0, p_{left} = 1, p_{right} = 0") +
                    ". The padded input (bold: " + math("x") + ") and the upstream gradient, " +
                    math("H' = " + std::to_string(dout.h()) + ", W' = " + std::to_string(dout.w())) +
                    " by \\ref eq_G1 \"(G1)\":\n" + fmt::display("\\xp = " + bold_where(xp.plane(0, 0), inside) + ",") +
                    fmt::display("\\dout = " + fmt::pmatrix(dout) + ".");
    s += "Spread " + math("\\dout") + " by the stride, \\ref eq_S1 \"(S1)\", and the filter by the dilation, " +
         "\\ref eq_S2 \"(S2)\": each entry of " + math("\\dout^s") + " sits where its window starts on " +
         math("\\xp") + ", each tap of " + math("w^d") + " where it lies in the window.\n" +
         fmt::display("\\dout^{s} = " + fmt::pmatrix(ds) + ",") +
         fmt::display("w = " + fmt::pmatrix(k.w) + " \\;\\Rightarrow\\; w^{d} = " + fmt::pmatrix(wd) + ".");
    s += "Their full convolution, \\ref eq_S3 \"(S3)\", has " +
         math(std::to_string(full.n_rows) + " \\times " + std::to_string(full.n_cols)) + " entries, " +
         math("(H'-1)s + (K-1)d + 1") + " per axis; the padded input " + "is " +
         math(std::to_string(xp.h()) + " \\times " + std::to_string(xp.w())) + ", and the positions the " +
         "convolution does not reach are in no window and stay zero, \\ref eq_G2 \"(G2)\". Cropping the padding, " +
         "\\ref eq_P2 \"(P2)\", keeps the bold entries:\n" +
         fmt::display("\\dout^{s} * w^{d} = " + fmt::pmatrix(full) + ",") +
         fmt::display("\\dx^{p} = " + bold_where(dxp, inside) + ",") +
         fmt::display("\\dx = " + fmt::pmatrix(dx) + ".") + unreached(dx);
    return s + same_as("\\dx", fmt::max_abs_diff(steps, scatter), fmt::max_abs_diff(steps, closed));
}

std::string stride_dw() {
    const StrideCase k;
    const Conv2dParams& p = k.p;
    const Tensor4 xp = k.xp(), dout = k.dout();
    const arma::mat ds = spread(dout.plane(0, 0), p.stride_h, p.stride_w);
    const arma::mat corr = valid_cross_correlation(xp.plane(0, 0), ds);
    Tensor4 steps(k.w.shape());
    for (arma::uword u = 0; u < k.w.h(); ++u)
        for (arma::uword v = 0; v < k.w.w(); ++v)
            steps(0, 0, u, v) = corr(u * p.dilation_h, v * p.dilation_w);
    const Tensor4 scatter = conv2d_backward_scatter(dout, k.x, k.w, p).dw;
    const Tensor4 closed = conv2d_backward_closed(dout, k.x, k.w, p).dw;
    const auto sampled = [&](arma::uword i, arma::uword j) {
        return i % p.dilation_h == 0 && j % p.dilation_w == 0 && i / p.dilation_h < k.w.h() &&
               j / p.dilation_w < k.w.w();
    };
    std::string s = "The same case. Slide " + math("\\dout^s") + " over " + math("\\xp") +
                    " (both above) without flipping, \\ref eq_S4 \"(S4)\": the valid cross-correlation has " +
                    math(std::to_string(corr.n_rows) + " \\times " + std::to_string(corr.n_cols)) +
                    " entries, and the weight gradient is the bold ones, every " + math("d_h = 2") + "-th row:\n" +
                    fmt::display("\\xp \\star \\dout^{s} = " + bold_where(corr, sampled) +
                                 " \\;\\Rightarrow\\; \\dw = " + fmt::pmatrix(steps) + ".");
    return s + same_as("\\dw", fmt::max_abs_diff(steps, scatter), fmt::max_abs_diff(steps, closed));
}

std::string stride_results() {
    const StrideCase k;
    const Tensor4 out = k.out(), dout = k.dout();
    const std::vector<Gradients> forms = conv2d_forms(dout, k.x, k.w, k.p);
    auto fx = [&](const Tensor4& xx) { return conv2d_forward(xx, k.w, std::nullopt, k.p); };
    auto fw = [&](const Tensor4& ww) { return conv2d_forward(k.x, ww, std::nullopt, k.p); };
    const Tensor4 ndx = numerical_vjp(fx, k.x, dout), ndw = numerical_vjp(fw, k.w, dout);
    std::string s =
        "cnnbp::conv2d_forward() and the scatter form on the example above (stride 2, dilation " +
        std::string("(2, 1), padding top 1, left 1):\n") +
        program_output(
            {{"x", &k.x}, {"w", &k.w}, {"out", &out}, {"dout", &dout}, {"dx", &forms[0].dx}, {"dw", &forms[0].dw}},
            {{"db", &forms[0].db}});
    s += fmt::bold("The four backward forms agree") + ", each compared with the scatter form:\n" + forms_table(forms);
    s +=
        fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") +
        " (cnnbp::numerical_vjp(), \\ref eq_F4 \"(F4)\"), one pixel in the last column (in no window) and two more:\n" +
        fd_table({fd_row("\\dx[0, 0, 1, 4]", forms[0].dx(0, 0, 1, 4), ndx(0, 0, 1, 4)),
                  fd_row("\\dx[0, 0, 1, 1]", forms[0].dx(0, 0, 1, 1), ndx(0, 0, 1, 1)),
                  fd_row("\\dw[0, 0, 1, 0]", forms[0].dw(0, 0, 1, 0), ndw(0, 0, 1, 0))});
    return s;
}

}  // namespace

std::vector<Artifact> stride_dilation_worked() {
    return {
        {"stride_dilation-dx", "stride/dilation page: dx by the closed form, step by step (S1)-(S3)", stride_dx},
        {"stride_dilation-dw", "stride/dilation page: dw by the closed form, step by step (S4)", stride_dw},
        {"stride_dilation", "stride/dilation page, results: the program's output, the four forms, finite differences",
         stride_results}};
}

}  // namespace cnnbp::cli::conv_worked
