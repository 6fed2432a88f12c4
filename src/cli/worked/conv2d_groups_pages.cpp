// The worked results of the pages \ref conv2d "Convolution" and \ref groups "Groups" (conv_common.hpp).
#include "conv_common.hpp"

#include "cnnbp/layers/conv2d.hpp"

namespace cnnbp::cli::conv_worked {

using fmt::math;
using fmt::num;

namespace {

std::string idx(long long a, long long b) { return "[" + std::to_string(a) + "," + std::to_string(b) + "]"; }

// The terms of (C6) for pixel (h, w) of a one-channel, one-filter conv2d: every tap (u, v) and the window (i, j) it
// belongs to, found by cnnbp::window_at(). `where` collects "tap (u,v) of window (i,j)".
Terms dx_terms(const Tensor4& w, const Tensor4& dout, const Conv2dParams& p, long long h, long long ww,
               std::vector<std::string>* where = nullptr) {
    Terms t;
    for (long long u = (long long)w.h() - 1; u >= 0; --u)
        for (long long v = (long long)w.w() - 1; v >= 0; --v) {
            const long long i = window_at(h + p.pad.top - u * p.dilation_h, p.stride_h, dout.h());
            const long long j = window_at(ww + p.pad.left - v * p.dilation_w, p.stride_w, dout.w());
            if (i < 0 || j < 0) continue;
            t.add(w(0, 0, u, v), dout(0, 0, i, j), "w" + idx(u, v) + "\\, \\dout" + idx(i, j));
            if (where)
                where->push_back("tap " + math("(" + std::to_string(u) + "," + std::to_string(v) + ")") +
                                 " of window " + math("(" + std::to_string(i) + "," + std::to_string(j) + ")"));
        }
    return t;
}

std::string listing(const std::vector<std::string>& items) {
    std::string s;
    for (std::size_t k = 0; k < items.size(); ++k)
        s += (k ? (k + 1 == items.size() ? " and " : ", ") : "") + items[k];
    return s;
}

std::string conv2d_example_text() {
    const Conv2dExample e = conv2d_example();
    const Tensor4 out = conv2d_forward(e.x, e.w, std::nullopt, {});
    const Conv2dGrads g = conv2d_backward_scatter(e.dout, e.x, e.w, {});
    Terms out00;
    for (long long u = 0; u < (long long)e.w.h(); ++u)
        for (long long v = 0; v < (long long)e.w.w(); ++v)
            out00.add(e.w(0, 0, u, v), e.x(0, 0, u, v), "w" + idx(u, v) + "\\, x" + idx(u, v));
    std::vector<std::string> centre_where, corner_where;
    const Terms centre = dx_terms(e.w, e.dout, {}, 1, 1, &centre_where);
    const Terms corner = dx_terms(e.w, e.dout, {}, 0, 0, &corner_where);
    Terms dw11;
    for (long long i = 0; i < (long long)e.dout.h(); ++i)
        for (long long j = 0; j < (long long)e.dout.w(); ++j)
            dw11.add(e.dout(0, 0, i, j), e.x(0, 0, i + 1, j + 1), "\\dout" + idx(i, j) + "\\, x" + idx(i + 1, j + 1));
    double db = 0;  // (C5), row by row
    std::string db_sum;
    for (arma::uword i = 0; i < e.dout.h(); ++i)
        for (arma::uword j = 0; j < e.dout.w(); ++j) {
            const double d = e.dout(0, 0, i, j);
            db += d;
            db_sum += (db_sum.empty() ? "" : " + ") + (d < 0 ? "(" + num(d) + ")" : num(d));
        }
    if (db != g.db(0)) throw std::logic_error("conv2d example: db is not the sum of dout");

    std::string s = "One sample, one channel, one filter, stride 1, no padding:\n" +
                    fmt::display("x = " + fmt::pmatrix(e.x) + ", \\quad w = " + fmt::pmatrix(e.w) + ",") +
                    fmt::display("\\dout = " + fmt::pmatrix(e.dout) + ".");
    s += "Forward, \\ref eq_C1 \"(C1)\" (cnnbp::conv2d_forward()):\n" +
         fmt::display(expansion("\\out[0,0]", out00, out(0, 0, 0, 0))) + "and likewise\n" +
         fmt::display("\\out = " + fmt::pmatrix(out) + ".");
    s += "Backward, \\ref eq_C3 \"(C3)\" (cnnbp::conv2d_backward_scatter()): the pixel " + math("x[1,1]") + " is in " +
         std::to_string(centre_where.size()) + " windows, under " + listing(centre_where) + ":\n" +
         fmt::display(expansion("\\dx[1,1]", centre, g.dx(0, 0, 1, 1))) +
         fmt::display("\\dx = " + fmt::pmatrix(g.dx) + ".");
    s += "The corner " + math("x[0,0]") + " is only under " + listing(corner_where) + ": " +
         math(expansion_inline("\\dx[0,0]", corner, g.dx(0, 0, 0, 0))) +
         ". \\ref eq_C4 \"(C4)\": " + math("\\dw[u,v] = \\sum_{i,j} \\dout[i,j]\\, x[i+u, j+v]") + ", e.g.\n" +
         fmt::display(expansion("\\dw[1,1]", dw11, g.dw(0, 0, 1, 1))) +
         fmt::display("\\dw = " + fmt::pmatrix(g.dw) + ", \\qquad \\db = " + db_sum + " = " + num(g.db(0)) + " .");
    return s;
}

std::string conv2d_results() {
    const Conv2dExample e = conv2d_example();
    const Tensor4 out = conv2d_forward(e.x, e.w, std::nullopt, {});
    const Tensor4 out_matrix = conv2d_forward_matrix(e.x, e.w, std::nullopt, {});
    const std::vector<Gradients> forms = conv2d_forms(e.dout, e.x, e.w, {});
    auto fx = [&](const Tensor4& xx) { return conv2d_forward(xx, e.w, std::nullopt, {}); };
    auto fw = [&](const Tensor4& ww) { return conv2d_forward(e.x, ww, std::nullopt, {}); };
    const Tensor4 ndx = numerical_vjp(fx, e.x, e.dout), ndw = numerical_vjp(fw, e.w, e.dout);
    std::string s =
        "cnnbp::conv2d_forward() and the scatter form on the example above:\n" +
        program_output(
            {{"x", &e.x}, {"w", &e.w}, {"out", &out}, {"dout", &e.dout}, {"dx", &forms[0].dx}, {"dw", &forms[0].dw}},
            {{"db", &forms[0].db}});
    s += fmt::bold("The two forward forms agree") + ": the definition and the matrix form " +
         "(cnnbp::conv2d_forward_matrix()) differ by " + math(fmt::sci(fmt::max_abs_diff(out, out_matrix))) +
         " at most.\n\n" + fmt::bold("The four backward forms agree") + ", each compared with the scatter form:\n" +
         forms_table(forms);
    s += fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") +
         " (cnnbp::numerical_vjp(), \\ref eq_F4 \"(F4)\"):\n" +
         fd_table({fd_row("\\dx[0, 0, 1, 1]", forms[0].dx(0, 0, 1, 1), ndx(0, 0, 1, 1)),
                   fd_row("\\dw[0, 0, 1, 0]", forms[0].dw(0, 0, 1, 0), ndw(0, 0, 1, 0))});
    return s;
}

// ---- groups: x (1,4,2,3), w (2,2,2,2), G = 2: filter 0 reads channels 0, 1 and filter 1 channels 2, 3.

// Planes [n0, n0 + nn) x [c0, c0 + cc) of t as a tensor of their own.
Tensor4 block(const Tensor4& t, arma::uword n0, arma::uword nn, arma::uword c0, arma::uword cc) {
    Tensor4 b(nn, cc, t.h(), t.w());
    for (arma::uword n = 0; n < nn; ++n)
        for (arma::uword c = 0; c < cc; ++c)
            b.plane(n, c) = t.plane(n0 + n, c0 + c);
    return b;
}

std::string groups_results() {
    const Tensor4 x = quarters({1, 4, 2, 3}, 5, 1), w = quarters({2, 2, 2, 2}, 7, 3);
    Conv2dParams p;
    p.groups = 2;
    const Conv2dShape shape = conv2d_shape("groups page", x.shape(), w.shape(), std::nullopt, p);
    const Tensor4 out = conv2d_forward(x, w, std::nullopt, p);
    const Tensor4 dout = quarters(out.shape(), 4, 6);
    const std::vector<Gradients> forms = conv2d_forms(dout, x, w, p);
    const Gradients& g = forms[0];

    std::vector<std::vector<std::string>> readers;
    std::string side;  // max differences of each group against its own ungrouped conv2d
    double side_max = 0;
    for (arma::uword f = 0; f < w.n(); ++f) {
        const arma::uword grp = f / shape.f_group, c0 = grp * shape.c_group;
        readers.push_back({std::to_string(f), std::to_string(grp),
                           std::to_string(c0) + " to " + std::to_string(c0 + shape.c_group - 1)});
    }
    for (arma::uword grp = 0; grp < arma::uword(p.groups); ++grp) {
        const Tensor4 xg = block(x, 0, 1, grp * shape.c_group, shape.c_group);
        const Tensor4 wg = block(w, grp * shape.f_group, shape.f_group, 0, shape.c_group);
        const Tensor4 dg = block(dout, 0, 1, grp * shape.f_group, shape.f_group);
        const Conv2dGrads alone = conv2d_backward_scatter(dg, xg, wg, {});
        side_max =
            std::max({side_max,
                      fmt::max_abs_diff(conv2d_forward(xg, wg, std::nullopt, {}),
                                        block(out, 0, 1, grp * shape.f_group, shape.f_group)),
                      fmt::max_abs_diff(alone.dx, block(g.dx, 0, 1, grp * shape.c_group, shape.c_group)),
                      fmt::max_abs_diff(alone.dw, block(g.dw, grp * shape.f_group, shape.f_group, 0, shape.c_group))});
    }
    if (side_max != 0) throw std::logic_error("groups results: a group differs from its own conv2d");
    // The mistake: filter 1's dw paired with channels 0, 1 (group 0's) instead of 2, 3.
    const Tensor4 wrong = conv2d_backward_scatter(block(dout, 0, 1, 1, 1), block(x, 0, 1, 0, shape.c_group),
                                                  block(w, 1, 1, 0, shape.c_group), {})
                              .dw;
    const double wrong_by = fmt::max_abs_diff(wrong, block(g.dw, 1, 1, 0, shape.c_group));
    if (wrong_by == 0) throw std::logic_error("groups results: the example does not expose the mistake");
    auto fw = [&](const Tensor4& ww) { return conv2d_forward(x, ww, std::nullopt, p); };
    const Tensor4 ndw = numerical_vjp(fw, w, dout);

    std::string s = "A convolution with " + math("C = 4") + " channels, " + math("F = 2") + " filters and " +
                    math("G = 2") + " groups, so " + math("C_g = " + std::to_string(shape.c_group)) + " and " +
                    math("F_g = " + std::to_string(shape.f_group)) +
                    " (cnnbp::conv2d_shape()); by \\ref eq_K1 \"(K1)\":\n" +
                    fmt::table({"filter " + math("f"), "group " + math("g(f)"), "channels it reads"}, readers);
    s += program_output({{"x", &x}, {"w", &w}, {"out", &out}, {"dout", &dout}, {"dx", &g.dx}, {"dw", &g.dw}},
                        {{"db", &g.db}});
    s += fmt::bold("Two independent convolutions side by side") + ": each group's channels, run through an ungrouped " +
         "cnnbp::conv2d_forward() and cnnbp::conv2d_backward_scatter() with its own filters, give the same " +
         math("\\out") + ", " + math("\\dx") + " and " + math("\\dw") + " blocks, largest difference " +
         math(num(side_max)) + ". Pairing filter 1's weights with channels 0 and 1 instead (the mistake " +
         "`grouped dw read from the first group's channels`) gives a " + math("\\dw[1]") + " that is off by up to " +
         math(num(wrong_by)) + ".\n\n";
    s += fmt::bold("The four backward forms agree") + ", each compared with the scatter form:\n" + forms_table(forms);
    s += fmt::bold("Finite differences") + " of " + math("\\ip{\\out}{\\dout}") +
         " (cnnbp::numerical_vjp()), one weight of the second group:\n" +
         fd_table({fd_row("\\dw[1, 1, 0, 1]", g.dw(1, 1, 0, 1), ndw(1, 1, 0, 1))});
    return s;
}

}  // namespace

std::vector<Artifact> conv2d_groups_worked() {
    return {
        {"conv2d-example", "conv2d page: forward and backward of a 3x4 input, sums written out", conv2d_example_text},
        {"conv2d", "conv2d page, results: the program's output, the four backward forms, finite differences",
         conv2d_results},
        {"groups", "groups page, results: a 2-group convolution is two convolutions side by side", groups_results}};
}

}  // namespace cnnbp::cli::conv_worked
