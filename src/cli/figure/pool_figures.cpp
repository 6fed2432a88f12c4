// Figures of pooling (\ref pooling): max pooling's routing of dout to the winners, average pooling's spread with
// ceil_mode and the divisor at the border.
#include "figure_groups.hpp"
#include "svg.hpp"

#include "cnnbp/cnnbp.hpp"

#include <algorithm>

namespace cnnbp::cli {

namespace {

using svg::Cell;
using svg::num;

// Max pooling (X2), (X3): each dout goes to its window's winner, maxpool2d_winner(); x holds a tie. One small copy
// of x per window shows the window and its winner; x and the dx that maxpool2d_backward_scatter() returns on top.
std::string maxpool_routing() {
    const double xs[3][4] = {{1, 3, 2, 0}, {4, 0, 3, 1}, {2, 2, 1, 5}};
    Tensor4 x(1, 1, 3, 4);
    for (arma::uword h = 0; h < 3; ++h)
        for (arma::uword w = 0; w < 4; ++w) x(0, 0, h, w) = xs[h][w];
    Window2d g{2, 2, 1, 1, {}, 1, 1};
    const OutputSize o = pool_output_size("maxpool-routing", g, x.h(), x.w());
    Tensor4 dout(1, 1, o.h, o.w);
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j) dout(0, 0, i, j) = double(i * o.w + j + 1);
    const Tensor4 dx = maxpool2d_backward_scatter(dout, x, g).dx;

    const double cell = 34, mini = 22, x0 = 20, y0 = 44, xd = 20 + 4 * cell + 70;
    const double ym = y0 + x.h() * cell + 52, pitch_w = 4 * mini + 34, pitch_h = 3 * mini + 50;
    svg::Figure f(std::max(xd + 4 * cell + 16, x0 + o.w * pitch_w), ym + o.h * pitch_h + 30,
                  "Max pooling (X3): each dout goes to the winner of its window; ties go to the first maximum in "
                  "row-major window order (X2)");
    f.open(example_hooks(g, x.h(), x.w()));
    f.close();
    std::string douts;
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j) douts += (j ? " " : i ? " / " : "") + num(dout(0, 0, i, j));
    f.text(8, 14, window_text(g) + "; dout = (" + douts + ")", 12, "start");
    f.text(x0 + 2 * cell, y0 - 10, "x", 12);
    f.grid(x0, y0, x.h(), x.w(), cell, [&](int h, int w) {
        return Cell{"#FFFFFF", num(x(0, 0, h, w)),
                    data("class", "x") + data("data-h", h) + data("data-w", w) + data("data-value", num(x(0, 0, h, w)))};
    });
    f.line(x0 + 4 * cell + 12, y0 + 1.5 * cell, xd - 12, y0 + 1.5 * cell, "#333", true);
    f.text((x0 + 4 * cell + xd) / 2, y0 + 1.5 * cell - 12, "backward", 11);
    f.text(xd + 2 * cell, y0 - 10, "dx: the dout it wins", 12);
    f.grid(xd, y0, x.h(), x.w(), cell, [&](int h, int w) {
        const double v = dx(0, 0, h, w);
        return Cell{v != 0 ? svg::light_orange : "#FFFFFF", num(v), data("class", "dx") + data("data-value", num(v))};
    });
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j) {
            const Winner win = maxpool2d_winner(x, 0, 0, i, j, g);
            const double left = x0 + j * pitch_w, top = ym + i * pitch_h;
            int maxima = 0;  // how many taps hold the maximum: more than one is a tie
            for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v)
                    maxima += x(0, 0, i * g.stride_h + u, j * g.stride_w + v) == x(0, 0, win.h, win.w);
            f.grid(left, top, x.h(), x.w(), mini, [&](int h, int w) {
                const bool in = h >= int(i) && h < int(i) + g.kernel_h && w >= int(j) && w < int(j) + g.kernel_w;
                return Cell{in ? "#FFFFFF" : svg::light_grey, in ? num(x(0, 0, h, w)) : ""};
            }, 10);
            f.rect(left + win.w * mini, top + win.h * mini, mini, mini, svg::light_orange, "#000",
                   data("class", "route") + data("data-i", i) + data("data-j", j) + data("data-h", win.h) +
                       data("data-w", win.w) + " stroke-width=\"3\"");
            f.text(left + (win.w + 0.5) * mini, top + (win.h + 0.5) * mini, num(x(0, 0, win.h, win.w)), 10, "middle",
                   "font-weight=\"bold\"");
            f.rect(left + j * g.stride_w * mini, top + i * g.stride_h * mini, g.kernel_w * mini, g.kernel_h * mini,
                   "none", svg::blue, "stroke-width=\"2\" stroke-dasharray=\"5 2\"");
            f.text(left, top + 3 * mini + 12, "(" + std::to_string(i) + "," + std::to_string(j) + "): dout " +
                   num(dout(0, 0, i, j)) + " to x[" + std::to_string(win.h) + "," + std::to_string(win.w) + "]", 10,
                   "start");
            if (maxima > 1) f.text(left, top + 3 * mini + 26, "a tie: the first wins", 10, "start",
                                   "font-weight=\"bold\"");
        }
    f.text(8, ym - 16, "each window (dashed) and its winner (thick border)", 12, "start");
    return f.str();
}

// Average pooling (A2), (A3) with ceil_mode: the last row of windows overhangs the padded input, and the divisor
// counts only the cells inside it (avgpool2d_divisor()).
std::string avgpool_ceil() {
    const arma::uword H = 3, W = 5;
    AvgPool2dParams p{Window2d{2, 2, 2, 2, Padding{0, 0, 1, 0}, 1, 1}, true};
    p.window.ceil_mode = true;
    AvgPool2dParams excl = p;
    excl.count_include_pad = false;
    const Window2d& g = p.window;
    const OutputSize o = pool_output_size("avgpool-ceil", g, H, W);
    Tensor4 dout(1, 1, o.h, o.w);
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j) dout(0, 0, i, j) = double(i * o.w + j + 1);
    const Tensor4 dx = avgpool2d_backward_scatter(dout, {1, 1, H, W}, p).dx;
    const int rows = H + g.pad.top + g.pad.bottom, cols = W + g.pad.left + g.pad.right;
    const int reach_h = int(o.h - 1) * g.stride_h + g.kernel_h, reach_w = int(o.w - 1) * g.stride_w + g.kernel_w;

    const double cell = 56, x0 = 24, y0 = 50 + 12;
    svg::Figure f(x0 + std::max(cols, reach_w) * cell + 24, y0 + std::max(rows, reach_h) * cell + 100,
                  "Average pooling with ceil_mode (A2), (A3): each window spreads dout / D over its input cells");
    f.open(example_hooks(g, H, W) + data("data-count-include-pad", 1));
    f.close();
    f.text(10, 14, "H=" + std::to_string(H) + ", W=" + std::to_string(W) + ", " + window_text(g), 12, "start");
    f.text(10, 31, "(G3): H'=" + std::to_string(o.h) + ", W'=" + std::to_string(o.w) + "; the floor would give H'=" +
           std::to_string(output_size_1d(H, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom, 1)), 12, "start");
    // beyond the padded input: drawn as a dashed outline only
    for (int a = 0; a < reach_h; ++a)
        for (int b = 0; b < reach_w; ++b)
            if (a >= rows || b >= cols)
                f.rect(x0 + b * cell, y0 + a * cell, cell, cell, "none", svg::grey, "stroke-dasharray=\"3 3\"");
    f.grid(x0, y0, rows, cols, cell, [&](int a, int b) {
        const int h = a - g.pad.top, w = b - g.pad.left;
        if (h < 0 || h >= int(H) || w < 0 || w >= int(W)) return Cell{svg::dots, "", data("class", "padding")};
        return Cell{"#FFFFFF", "", data("class", "x") + data("data-h", h) + data("data-w", w)};
    }, 11);
    for (arma::uword h = 0; h < H; ++h)
        for (arma::uword w = 0; w < W; ++w)
            f.text(x0 + (w + g.pad.left + 0.5) * cell, y0 + (h + g.pad.top + 0.5) * cell + 10, "dx=" + num(dx(0, 0, h, w)),
                   11);
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j) {
            const double top = y0 + i * g.stride_h * cell, left = x0 + j * g.stride_w * cell;
            const double D = avgpool2d_divisor(i, j, H, W, p), D_excl = avgpool2d_divisor(i, j, H, W, excl);
            f.rect(left + 4, top + 4, g.kernel_w * cell - 8, g.kernel_h * cell - 8, "none", svg::blue,
                   data("class", "avg-window") + data("data-i", i) + data("data-j", j) + data("data-divisor", num(D)) +
                       data("data-divisor-excl", num(D_excl)) + " stroke-width=\"2.5\"");
            f.text(left + 8, top + 14, "dout=" + num(dout(0, 0, i, j)) + "  D=" + num(D) + " (" + num(D_excl) + ")",
                   10, "start", svg::halo + std::string(" fill=\"") + svg::blue + "\" font-weight=\"bold\"");
        }
    const double yl = y0 + std::max(rows, reach_h) * cell + 18;
    f.text(10, yl, "D: the divisor with count_include_pad (the default);", 12, "start");
    f.text(10, yl + 17, "in brackets, without it (input cells only)", 12, "start");
    f.text(10, yl + 34, "dashed: beyond the padded input, never counted", 12, "start");
    f.rect(10, yl + 48, 14, 14, svg::dots, "#000");
    f.text(30, yl + 55, "padding: counted in D by default, gets no dx", 12, "start");
    return f.str();
}

}  // namespace

std::vector<Artifact> pool_figures() {
    return {
        {"maxpool-routing", "max pooling sends each dout to its window's winner, with a tie (pooling)",
         maxpool_routing},
        {"avgpool-ceil", "average pooling with ceil_mode: the divisor at the border and the spread (pooling)",
         avgpool_ceil},
    };
}

}  // namespace cnnbp::cli
