// The worked results of the pages \ref geometry "Window geometry" and \ref pad2d "Zero padding" (conv_common.hpp).
#include "conv_common.hpp"

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/layers/pad2d.hpp"

namespace cnnbp::cli::conv_worked {

using fmt::math;
using fmt::num;

namespace {

// ---- geometry: one axis of the main job's case (\ref demo): H = 4, p_top = 1, p_bottom = 0, K = 2, s = 2, d = 1.

struct Axis {
    long long n = 4, pad_lo = 1, pad_hi = 0, kernel = 2, stride = 2, dilation = 1;
    long long padded() const { return n + pad_lo + pad_hi; }
    long long windows() const { return output_size_1d(n, kernel, stride, pad_lo, pad_hi, dilation); }
    long long last_tap() const { return (windows() - 1) * stride + dilation * (kernel - 1); }  // t
};

std::string set_text(const std::vector<long long>& v) {
    std::string s = "\\{";
    for (std::size_t k = 0; k < v.size(); ++k)
        s += (k ? ", " : "") + std::to_string(v[k]);
    return s + "\\}";
}

std::string geometry_example() {
    const Axis a;
    const long long numerator = a.padded() - a.dilation * (a.kernel - 1) - 1;
    std::string covered;
    for (long long i = 0; i < a.windows(); ++i) {
        std::vector<long long> rows;
        for (long long u = 0; u < a.kernel; ++u)
            rows.push_back(i * a.stride + u * a.dilation);
        covered += (i ? (i + 1 == a.windows() ? " and " : ", ") : "") + math(set_text(rows));
    }
    std::string s =
        math("H = " + std::to_string(a.n)) + ", " + math("p_{top} = " + std::to_string(a.pad_lo)) + ", " +
        math("p_{bottom} = " + std::to_string(a.pad_hi)) + ", " + math("K_h = " + std::to_string(a.kernel)) + ", " +
        math("s_h = " + std::to_string(a.stride)) + ", " + math("d_h = " + std::to_string(a.dilation)) + ". Then " +
        math("n_p = " + std::to_string(a.padded())) + ", " +
        math("H' = \\floor{(" + std::to_string(a.padded()) + " - " + std::to_string(a.dilation * (a.kernel - 1)) +
             " - 1)/" + std::to_string(a.stride) + "} + 1 = \\floor{" + num(double(numerator) / a.stride) +
             "} + 1 = " + std::to_string(a.windows())) +
        " (cnnbp::output_size_1d()), the windows cover padded rows " + covered + ", " +
        math("t = " + std::to_string(a.last_tap())) + ", and ";
    std::vector<std::vector<std::string>> rows;
    std::vector<long long> left_out;
    for (long long p = 0; p < a.padded(); ++p) {
        std::string taps;
        for (long long u = 0; u < a.kernel; ++u) {
            const long long i = window_at(p - u * a.dilation, int(a.stride), arma::uword(a.windows()));
            if (i >= 0)
                taps += (taps.empty() ? "" : ", ") + math("i = " + std::to_string(i) + ", u = " + std::to_string(u));
        }
        const long long h = p - a.pad_lo;
        if (taps.empty() && h >= 0 && h < a.n) left_out.push_back(p);
        rows.push_back(
            {std::to_string(p), h >= 0 && h < a.n ? std::to_string(h) : "padding", taps.empty() ? "none" : taps});
    }
    for (std::size_t k = 0; k < left_out.size(); ++k)
        s += (k ? ", " : "") + std::string("padded row ") + std::to_string(left_out[k]) + ", which is input row " +
             std::to_string(left_out[k] - a.pad_lo);
    s += left_out.size() == 1 ? ", is in no window: its row of " + math("\\dx") + " is zero.\n"
                              : ", are in no window: their rows of " + math("\\dx") + " are zero.\n";
    s += "Each padded row and the window taps on it, " + math("a = i s_h + u d_h") + " (cnnbp::window_at()):\n";
    return s + fmt::table({"padded row " + math("a"), "input row " + math("a - p_{top}"), "taps on it"}, rows);
}

// The same rows inside a conv2d: x (1,1,4,3), w (1,1,2,2), stride (2,1), padding top 1.
struct GeometryCase {
    Tensor4 x = quarters({1, 1, 4, 3}, 5, 2), w = plane({{0.5, -1}, {0.75, 0.25}});
    Conv2dParams p;
    GeometryCase() {
        const Axis a;
        p.stride_h = int(a.stride);
        p.pad.top = int(a.pad_lo);
        p.pad.bottom = int(a.pad_hi);
    }
};

std::string geometry_results() {
    const GeometryCase k;
    const Axis a;
    const Tensor4 out = conv2d_forward(k.x, k.w, std::nullopt, k.p);
    const Tensor4 dout = quarters(out.shape(), 4, 3);
    const std::vector<Gradients> forms = conv2d_forms(dout, k.x, k.w, k.p);
    const arma::uword row = arma::uword(a.last_tap() + 1 - a.pad_lo);  // the input row left out
    std::vector<std::vector<std::string>> zero_rows;
    for (const Gradients& g : forms) {
        const double m = arma::abs(g.dx.plane(0, 0).row(row)).max();
        if (m != 0) throw std::logic_error("geometry results: the left-out row got gradient in " + g.form);
        zero_rows.push_back({g.form, num(m)});
    }
    Tensor4 changed = k.x;
    for (arma::uword j = 0; j < k.x.w(); ++j)
        changed(0, 0, row, j) += 7;
    const double out_change = fmt::max_abs_diff(conv2d_forward(changed, k.w, std::nullopt, k.p), out);
    const Tensor4 ndx =
        numerical_vjp([&](const Tensor4& xx) { return conv2d_forward(xx, k.w, std::nullopt, k.p); }, k.x, dout);
    const std::string r = std::to_string(row);
    std::string s = "A conv2d with these rows (cnnbp::conv2d_forward(), stride " + math("(2, 1)") +
                    ", padding top 1): the output has " + math("H' = " + std::to_string(out.h())) + " rows, as " +
                    "\\ref eq_G1 \"(G1)\" says.\n" +
                    program_output({{"x", &k.x}, {"w", &k.w}, {"out", &out}, {"dout", &dout}, {"dx", &forms[0].dx}});
    s += fmt::bold("Input row " + r + " gets no gradient") + " in any backward form, \\ref eq_G2 \"(G2)\":\n" +
         fmt::table({"form", math("\\max_j \\lvert \\dx[0, 0, " + r + ", j] \\rvert")}, zero_rows);
    s += "and adding 7 to every pixel of that row changes the output by " + math(num(out_change)) +
         " (max over the output).\n\n";
    s += fmt::bold("The four forms agree") + ", each compared with the scatter form:\n" + forms_table(forms);
    s += fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") +
         " (cnnbp::numerical_vjp(), \\ref eq_F4 \"(F4)\"), one element in the left-out row and one above it:\n" +
         fd_table({fd_row("\\dx[0, 0, " + r + ", 1]", forms[0].dx(0, 0, row, 1), ndx(0, 0, row, 1)),
                   fd_row("\\dx[0, 0, 1, 1]", forms[0].dx(0, 0, 1, 1), ndx(0, 0, 1, 1))});
    return s;
}

// ---- pad2d: x (1,1,2,3), padding top 1, bottom 0, left 2, right 1.

struct PadCase {
    Tensor4 x = plane({{0.5, -1, 0.25}, {1, 0.75, -0.5}});
    Padding p{1, 0, 2, 1};
    Tensor4 out = pad2d_forward(x, p);
    Tensor4 dout = quarters(out.shape(), 7, 1);
    Tensor4 dx = pad2d_backward(dout, p).dx;
};

// A plane with the entries of the window [top, top + h) x [left, left + w) in bold: where x lies inside the padding.
std::string marked(const Tensor4& t, const Padding& p, arma::uword h, arma::uword w) {
    return fmt::pmatrix(t.plane(0, 0), [&](arma::uword i, arma::uword j, const std::string& text) {
        const bool inside = i >= arma::uword(p.top) && i < p.top + h && j >= arma::uword(p.left) && j < p.left + w;
        return inside ? "\\mathbf{" + text + "}" : text;
    });
}

std::string pad2d_example() {
    const PadCase k;
    const std::string pads =
        math("p_{top} = " + std::to_string(k.p.top)) + ", " + math("p_{bottom} = " + std::to_string(k.p.bottom)) +
        ", " + math("p_{left} = " + std::to_string(k.p.left)) + ", " + math("p_{right} = " + std::to_string(k.p.right));
    return "With " + pads + ", cnnbp::pad2d_forward() puts " + math("x") +
           " (bold) inside the zeros, \\ref eq_P1 \"(P1)\":\n" +
           fmt::display("x = " + fmt::pmatrix(k.x) +
                        " \\quad\\Rightarrow\\quad \\out = " + marked(k.out, k.p, k.x.h(), k.x.w())) +
           "and cnnbp::pad2d_backward() keeps the bold entries of " + math("\\dout") + ", \\ref eq_P2 \"(P2)\":\n" +
           fmt::display("\\dout = " + marked(k.dout, k.p, k.x.h(), k.x.w()) +
                        " \\quad\\Rightarrow\\quad \\dx = " + fmt::pmatrix(k.dx) + ".");
}

std::string pad2d_results() {
    const PadCase k;
    const double lhs = dot(k.out, k.dout), rhs = dot(k.x, k.dx);
    if (lhs != rhs) throw std::logic_error("pad2d results: <pad(x), dout> != <x, crop(dout)>");
    const Tensor4 ndx = numerical_vjp([&](const Tensor4& xx) { return pad2d_forward(xx, k.p); }, k.x, k.dout);
    std::string s = "cnnbp::pad2d_forward() and cnnbp::pad2d_backward() on the example above, padding " +
                    math("(1, 0, 2, 1)") + " (top, bottom, left, right):\n" +
                    program_output({{"x", &k.x}, {"out", &k.out}, {"dout", &k.dout}, {"dx", &k.dx}});
    s += fmt::bold("The crop is the adjoint of the padding") +
         ", \\ref eq_N2 \"(N2)\": " + math("\\ip{\\mathrm{pad}(x)}{\\dout} = " + num(lhs)) + " and " +
         math("\\ip{x}{\\mathrm{crop}(\\dout)} = " + num(rhs)) + ".\n\n";
    s += fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") +
         " (cnnbp::numerical_vjp()) differ from " + math("\\dx") + " by at most " +
         math(fmt::sci(fmt::max_abs_diff(ndx, k.dx))) + " over all its elements; one of them:\n" +
         fd_table({fd_row("\\dx[0, 0, 1, 2]", k.dx(0, 0, 1, 2), ndx(0, 0, 1, 2))});
    return s;
}

}  // namespace

std::vector<Artifact> geometry_pad_worked() {
    return {{"geometry-example", "geometry page: the output size and the left-out row of the main job's case",
             geometry_example},
            {"geometry", "geometry page, results: a conv2d whose last input row no window reaches", geometry_results},
            {"pad2d-example", "pad2d page: the padding of a 2x3 plane and the crop of its gradient", pad2d_example},
            {"pad2d", "pad2d page, results: the program's output, the adjoint identity, finite differences",
             pad2d_results}};
}

}  // namespace cnnbp::cli::conv_worked
