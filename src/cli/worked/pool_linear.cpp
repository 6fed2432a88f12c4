// The worked results of the pooling page and the fully-connected page (other_pages.hpp).
#include "other_pages.hpp"

#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/flatten.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/maxpool2d.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace cnnbp::cli::other {

using fmt::display;
using fmt::math;
using fmt::max_abs_diff;
using fmt::num;
using fmt::pmatrix;

namespace {

Tensor4 plane_of(const arma::mat& m) {
    Tensor4 t(1, 1, m.n_rows, m.n_cols);
    t.plane(0, 0) = m;
    return t;
}

// The page's example: one 3 x 4 plane with a tie in window (0, 1), a 2 x 2 window with stride 1 (overlapping).
struct PoolExample {
    Tensor4 x = plane_of({{1, 3, 2, 0}, {4, 0, 3, 1}, {2, 2, 1, 5}});
    Tensor4 dout = plane_of({{1, 2, 3}, {4, 5, 6}});
    Window2d g = [] {
        Window2d w = Window2d::pooling(2, 2);
        w.stride_h = w.stride_w = 1;
        return w;
    }();
};

std::string at(const char* name, arma::uword h, arma::uword w) {
    return std::string(name) + "[" + std::to_string(h) + "," + std::to_string(w) + "]";
}

// One line per window: where its maximum is, and every cell that holds it when there is a tie, (X2).
std::string winners(const PoolExample& e, const Tensor4& out) {
    std::string s;
    for (arma::uword i = 0; i < out.h(); ++i)
        for (arma::uword j = 0; j < out.w(); ++j) {
            const Winner win = maxpool2d_winner(e.x, 0, 0, i, j, e.g);
            std::vector<std::string> holders;
            for (arma::uword u = 0; u < 2; ++u)
                for (arma::uword v = 0; v < 2; ++v)
                    if (e.x(0, 0, i + u, j + v) == out(0, 0, i, j)) holders.push_back(at("x", i + u, j + v));
            s += "- window " + math("(" + std::to_string(i) + "," + std::to_string(j) + ")") + ": ";
            if (holders.size() > 1) {
                s += "holds " + math(num(out(0, 0, i, j))) + " at";
                for (std::size_t k = 0; k < holders.size(); ++k) s += (k ? " and " : " ") + math(holders[k]);
                s += "; the first in row-major order, " + math(at("x", win.h, win.w)) + ", wins";
            } else {
                s += "wins at " + math(at("x", win.h, win.w) + " = " + num(out(0, 0, i, j)));
            }
            s += " and sends it " + math("\\dout" + at("", i, j) + " = " + num(e.dout(0, 0, i, j))) + "\n";
        }
    return s + "\n";
}

// dx as the sums of (X3): each cell lists the dout of the windows it wins.
std::string routed_sums(const PoolExample& e, const Tensor4& out) {
    std::vector<std::vector<std::string>> terms(e.x.h(), std::vector<std::string>(e.x.w()));
    for (arma::uword i = 0; i < out.h(); ++i)
        for (arma::uword j = 0; j < out.w(); ++j) {
            const Winner win = maxpool2d_winner(e.x, 0, 0, i, j, e.g);
            std::string& t = terms[win.h][win.w];
            t += (t.empty() ? "" : " + ") + num(e.dout(0, 0, i, j));
        }
    return pmatrix(e.x.plane(0, 0), [&](arma::uword h, arma::uword w, const std::string&) {
        return terms[h][w].empty() ? std::string("0") : terms[h][w];
    });
}

// The windows (i, j) of the stride-1 2 x 2 pool that contain cell (h, w), and the sum of dout / 4 over them, (A3).
std::string avg_cell(const PoolExample& e, arma::uword h, arma::uword w, const Tensor4& dx) {
    std::string terms;
    int count = 0;
    for (arma::uword i = (h ? h - 1 : 0); i <= h && i < e.dout.h(); ++i)
        for (arma::uword j = (w ? w - 1 : 0); j <= w && j < e.dout.w(); ++j, ++count)
            terms += (terms.empty() ? "" : " + ") + num(e.dout(0, 0, i, j));
    const std::string sum = count > 1 ? "(" + terms + ")" : terms;
    return math(at("x", h, w)) + ", in " + std::to_string(count) + (count > 1 ? " windows" : " window") + ", gets " +
           math(at("\\dx", h, w) + " = " + sum + "/4 = " + num(dx(0, 0, h, w)));
}

}  // namespace

std::string pooling_example() {
    const PoolExample e;
    const Tensor4 out = maxpool2d_forward(e.x, e.g), dx = maxpool2d_backward_scatter(e.dout, e.x, e.g).dx;
    std::string s = "One " + math("3 \\times 4") + " plane, max pooling with a " + math("2 \\times 2") +
                    " kernel and stride 1, so that the windows overlap (cnnbp::maxpool2d_forward()):\n";
    s += display("x = " + pmatrix(e.x) + ", \\qquad \\out = " + pmatrix(out));
    s += display("\\dout = " + pmatrix(e.dout));
    s += "The winners, \\ref eq_X2 \"(X2)\" (cnnbp::maxpool2d_winner()):\n\n" + winners(e, out);
    s += "So by \\ref eq_X3 \"(X3)\" (cnnbp::maxpool2d_backward_scatter())\n";
    s += display("\\dx = " + routed_sums(e, out) + " = " + pmatrix(dx));
    s += "and " + math("\\sum \\dx = " + num(arma::accu(dx.data())) + " = \\sum \\dout") + ".\n\n";

    AvgPool2dParams avg{e.g, true};
    const Tensor4 aout = avgpool2d_forward(e.x, avg), adx = avgpool2d_backward_scatter(e.dout, e.x.shape(), avg).dx;
    s += "Average pooling of the same plane with the same window (cnnbp::avgpool2d_forward()) divides every "
         "window's sum by " + num(avgpool2d_divisor(0, 0, e.x.h(), e.x.w(), avg)) + ", \\ref eq_A1 \"(A1)\":\n";
    s += display("\\out = " + pmatrix(aout) + ", \\qquad \\dx = " + pmatrix(adx));
    s += "by \\ref eq_A3 \"(A3)\": " + avg_cell(e, 0, 0, adx) + ", while " + avg_cell(e, 1, 1, adx) + ".\n";
    return s;
}

std::string pooling_results() {
    const PoolExample e;
    const Tensor4 out = maxpool2d_forward(e.x, e.g);
    const Tensor4 scatter = maxpool2d_backward_scatter(e.dout, e.x, e.g).dx, gather = maxpool2d_backward_gather(e.dout, e.x, e.g).dx;
    AvgPool2dParams avg{e.g, true};
    const Tensor4 ascatter = avgpool2d_backward_scatter(e.dout, e.x.shape(), avg).dx;
    const Tensor4 agather = avgpool2d_backward_gather(e.dout, e.x.shape(), avg).dx;
    // (F1) on x[1,0], the winner of two windows and tied with nothing (at the tied x[0,1] the two sides differ)
    const arma::uword h = 1, w = 0, k = h + e.x.h() * w;
    const auto max_loss = [&](const Tensor4& x) { return dot(maxpool2d_forward(x, e.g), e.dout); };
    const auto avg_loss = [&](const Tensor4& x) { return dot(avgpool2d_forward(x, avg), e.dout); };
    const CentralDifference fmax = central_difference(max_loss, e.x, k), favg = central_difference(avg_loss, e.x, k);

    std::string s = "The program on the worked example above (x of shape " + fmt::shape(e.x.shape()) + ", out and "
                    "dout of shape " + fmt::shape(out.shape()) + "):\n";
    s += fmt::table({"", "max pooling", "average pooling"},
                    {{"largest " + math("\\lvert \\dx_{scatter} - \\dx_{gather} \\rvert") + ", (X3) against (X4), (A3) against (A4)",
                      fmt::sci(fmt::max_abs_diff(scatter, gather)), fmt::sci(fmt::max_abs_diff(ascatter, agather))},
                     {math("\\sum \\dx") + " and " + math("\\sum \\dout"), num(arma::accu(scatter.data())) + " and " +
                      num(arma::accu(e.dout.data())), num(arma::accu(ascatter.data())) + " and " + num(arma::accu(e.dout.data()))},
                     {math(at("\\dx", h, w)) + " from backward", num(scatter(0, 0, h, w)), num(ascatter(0, 0, h, w))},
                     {"the same by central differences (F1), step " + math("h = 2^{" + std::to_string(std::ilogb(fmax.h)) + "}"),
                      num(fmax.value), num(favg.value)}});
    s += "The difference quotients are exact: the loss " + math("\\ip{\\out}{\\dout}") + " is linear in " +
         math(at("x", h, w)) + " on both sides of the step, and " + math("x \\pm h") + " is exact.\n";
    return s;
}

std::string linear_example() {
    const arma::mat x = {{1, 0, 2}, {-1, 3, 1}}, w = {{2, -1, 0}, {1, 1, -2}}, dout = {{1, -2}, {3, 1}};
    const arma::vec b = {0.5, -1};
    const arma::mat out = linear_forward(x, w, b);
    const LinearGrads g = linear_backward(dout, x, w);
    std::string s = math("N = " + std::to_string(x.n_rows)) + " samples, " + math("D = " + std::to_string(x.n_cols)) +
                    " inputs, " + math("M = " + std::to_string(w.n_rows)) + " outputs:\n";
    s += display("x = " + pmatrix(x) + ", \\quad W = " + pmatrix(w));
    s += display("b = " + pmatrix(arma::mat(b)) + ", \\quad \\dout = " + pmatrix(dout));
    s += "Then, by \\ref eq_L1 \"(L1)\" to \\ref eq_L4 \"(L4)\" (cnnbp::linear_forward(), cnnbp::linear_backward()):\n";
    s += display("\\out = x W^T + \\mathbf{1} b^T = " + pmatrix(out));
    s += display("\\dx = \\dout\\, W = " + pmatrix(g.dx) + ", \\quad \\dw = \\dout^T x = " + pmatrix(g.dw));
    s += display("\\db = \\dout^T \\mathbf{1} = " + fmt::prow(g.db));
    return s;
}

std::string linear_results() {
    // N = 3, D = 4, M = 2: no two extents equal, so a transposed product cannot have the right shape by chance.
    const arma::mat x = {{0.5, -1, 0.25, 2}, {1.5, 0.75, -0.5, 0}, {-0.25, 1, 1.25, -1.5}};
    const arma::mat w = {{0.25, -0.5, 1, 0.75}, {-1, 0.5, 0.25, -0.25}}, dout = {{1, -0.5}, {0.25, 0.75}, {-1.5, 0.5}};
    const arma::vec b = {0.125, -0.375};
    const arma::mat out = linear_forward(x, w, b);
    const LinearGrads g = linear_backward(dout, x, w);
    // The index sums of (L1)-(L4), written out as loops: a second form that shares nothing with the matrix products.
    arma::mat out_sum(3, 2), dx_sum(3, 4, arma::fill::zeros), dw_sum(2, 4, arma::fill::zeros);
    arma::vec db_sum(2, arma::fill::zeros);
    for (arma::uword n = 0; n < 3; ++n)
        for (arma::uword m = 0; m < 2; ++m) {
            out_sum(n, m) = b(m);
            db_sum(m) += dout(n, m);
            for (arma::uword d = 0; d < 4; ++d) {
                out_sum(n, m) += w(m, d) * x(n, d);
                dx_sum(n, d) += dout(n, m) * w(m, d);
                dw_sum(m, d) += dout(n, m) * x(n, d);
            }
        }
    const auto loss = [&](const arma::mat& wp) { return arma::accu(linear_forward(x, wp, b) % dout); };
    const arma::uword m = 1, d = 2;
    const CentralDifference f = central_difference(loss, w, m + w.n_rows * d);

    // flatten, (L5): elements numbered in row-major (N, C, H, W) order, which is not the storage order of a plane
    Tensor4 images(2, 2, 2, 2);
    for (arma::uword n = 0; n < 2; ++n)
        for (arma::uword c = 0; c < 2; ++c)
            for (arma::uword h = 0; h < 2; ++h)
                for (arma::uword w = 0; w < 2; ++w) images(n, c, h, w) = double(((n * 2 + c) * 2 + h) * 2 + w);
    const arma::mat flat = flatten_forward(images);
    const double back = fmt::max_abs_diff(flatten_backward(flat, images.shape()).dx, images);

    std::string s = "The program on a batch of " + math("N = 3") + " samples with " + math("D = 4") + " inputs and " +
                    math("M = 2") + " outputs:\n";
    s += display("x = " + pmatrix(x));
    s += display("W = " + pmatrix(w) + ", \\quad b = " + fmt::prow(b));
    s += display("\\dout = " + pmatrix(dout) + ", \\quad \\out = " + pmatrix(out));
    s += display("\\db = " + fmt::prow(g.db));
    s += display("\\dx = " + pmatrix(g.dx));
    s += display("\\dw = " + pmatrix(g.dw));
    s += fmt::table({"check", "result"},
                    {{"shapes of out, dx, dW, db",
                      std::to_string(out.n_rows) + " x " + std::to_string(out.n_cols) + ", " + std::to_string(g.dx.n_rows) +
                          " x " + std::to_string(g.dx.n_cols) + ", " + std::to_string(g.dw.n_rows) + " x " +
                          std::to_string(g.dw.n_cols) + ", " + std::to_string(g.db.n_elem)},
                     {"largest difference between the matrix form and the index sums, over out, dx, dW, db",
                      fmt::sci(std::max({max_abs_diff(out, out_sum), max_abs_diff(g.dx, dx_sum), max_abs_diff(g.dw, dw_sum),
                                         fmt::max_abs_diff(g.db, db_sum)}))},
                     {math("\\dw[" + std::to_string(m) + "," + std::to_string(d) + "]") + ": backward, central differences",
                      num(g.dw(m, d)) + ", " + num(f.value) + " (step " + math("2^{" + std::to_string(std::ilogb(f.h)) + "}") + ")"},
                     {"flatten of a (2, 2, 2, 2) batch whose elements are numbered in (N, C, H, W) order: row 0, row 1",
                      [&] {
                          std::string r;
                          for (arma::uword n = 0; n < flat.n_rows; ++n) {
                              r += n ? "; " : "";
                              for (arma::uword j = 0; j < flat.n_cols; ++j) r += (j ? " " : "") + num(flat(n, j));
                          }
                          return r;
                      }()},
                     {"largest difference between flatten_backward(flatten(x)) and x", fmt::sci(back)}});
    return s;
}

}  // namespace cnnbp::cli::other
