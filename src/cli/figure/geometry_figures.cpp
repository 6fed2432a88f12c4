// Figures of the window geometry (\ref geometry) and of zero padding (\ref pad2d).
#include "figure_groups.hpp"
#include "svg.hpp"

#include "cnnbp/cnnbp.hpp"

#include <set>
#include <utility>

namespace cnnbp::cli {

namespace {

using svg::Cell;
using svg::num;

// The padded input with every window of output_size(): the taps of (G0), each window's extent, and the input cells
// no tap reads (zero gradient, (G2)).
std::string geometry_windows() {
    const arma::uword H = 4, W = 6;
    Window2d g{2, 2, 2, 3, Padding{1, 0, 1, 0}, 1, 2};
    const OutputSize o = output_size("geometry-windows", g, H, W);
    const int rows = H + g.pad.top + g.pad.bottom, cols = W + g.pad.left + g.pad.right;
    std::set<std::pair<int, int>> taps;  // padded positions some window reads, (G0)
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j)
            for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v)
                    taps.insert({int(i) * g.stride_h + u * g.dilation_h, int(j) * g.stride_w + v * g.dilation_w});
    // the last tap along each axis; positions after it are left out by the floor, (G2)
    const int last_row = (int(o.h) - 1) * g.stride_h + g.dilation_h * (g.kernel_h - 1);
    const int last_col = (int(o.w) - 1) * g.stride_w + g.dilation_w * (g.kernel_w - 1);

    const double cell = 44, x0 = 56, y0 = 58;
    svg::Figure f(x0 + cols * cell + 12, y0 + rows * cell + 112 + 12,
                  "Windows on a padded input: the taps of each window, and the input cells no tap reads");
    f.open(example_hooks(g, H, W));
    f.close();
    f.text(x0 + cols * cell / 2, 14, "padded column b", 12);
    f.text(14, y0 + rows * cell / 2, "padded row a", 12, "middle", "transform=\"rotate(-90 14 " +
           num(y0 + rows * cell / 2) + ")\"");
    for (int b = 0; b < cols; ++b) f.text(x0 + (b + 0.5) * cell, y0 - 12, std::to_string(b), 12);
    for (int a = 0; a < rows; ++a) f.text(x0 - 14, y0 + (a + 0.5) * cell, std::to_string(a), 12);
    f.grid(x0, y0, rows, cols, cell, [&](int a, int b) {
        const int h = a - g.pad.top, w = b - g.pad.left;
        if (h < 0 || h >= int(H) || w < 0 || w >= int(W)) return Cell{svg::dots, "0", data("class", "padding")};
        const bool read = taps.count({a, b}) > 0;
        Cell k{read ? "#FFFFFF" : svg::hatch, "x[" + std::to_string(h) + "," + std::to_string(w) + "]",
               data("class", read ? "cell" : "cell left-out") + data("data-h", h) + data("data-w", w)};
        return k;
    }, 11);
    // each window: its taps (blue squares) and its extent d(K-1)+1 (dashed frame), labelled (i,j)
    for (arma::uword i = 0; i < o.h; ++i)
        for (arma::uword j = 0; j < o.w; ++j) {
            const double top = y0 + i * g.stride_h * cell, left = x0 + j * g.stride_w * cell;
            const double eh = (g.dilation_h * (g.kernel_h - 1) + 1) * cell, ew = (g.dilation_w * (g.kernel_w - 1) + 1) * cell;
            f.rect(left + 3, top + 3, ew - 6, eh - 6, "none", svg::blue,
                   data("class", "window") + data("data-i", i) + data("data-j", j) +
                       " stroke-width=\"2\" stroke-dasharray=\"6 3\"");
            for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v)
                    f.rect(left + v * g.dilation_w * cell + 6, top + u * g.dilation_h * cell + 6, cell - 12, cell - 12,
                           "none", svg::blue, data("class", "tap") + " stroke-width=\"2.5\"");
            f.text(left + 6, top + 4, "(" + std::to_string(i) + "," + std::to_string(j) + ")", 11, "start",
                   svg::halo + std::string(" font-weight=\"bold\" fill=\"") + svg::blue + "\"");
        }
    // brackets for the rows and columns after the last tap
    const double yl = y0 + rows * cell + 18;
    auto str = [](auto v) { return std::to_string(v); };
    f.text(8, yl, "K=" + str(g.kernel_h) + "x" + str(g.kernel_w) + ", s_h=" + str(g.stride_h) + ", s_w=" +
           str(g.stride_w) + ", d_h=" + str(g.dilation_h) + ", d_w=" + str(g.dilation_w), 12, "start");
    f.text(8, yl + 17, "p_top=" + str(g.pad.top) + ", p_bottom=" + str(g.pad.bottom) + ", p_left=" + str(g.pad.left) +
           ", p_right=" + str(g.pad.right), 12, "start");
    f.text(8, yl + 34, "(G1): H'=" + str(o.h) + ", W'=" + str(o.w) + "; last taps: row a=" + str(last_row) +
           ", column b=" + str(last_col), 12, "start");
    f.text(8, yl + 51, "the rows and columns after them are in no window (G2)", 12, "start");
    f.rect(x0, yl + 64, 16, 16, svg::hatch, "#000");
    f.text(x0 + 22, yl + 72, "no tap reads it: its dx is 0", 12, "start");
    f.rect(x0 + 200, yl + 64, 16, 16, svg::dots, "#000");
    f.text(x0 + 222, yl + 72, "padding (zeros)", 12, "start");
    return f.str();
}

// pad2d forward (P1) and its backward, the crop (P2), on the example of the page.
std::string pad2d_figure() {
    const Padding p{1, 0, 0, 1};
    Tensor4 x(1, 1, 2, 2);
    for (arma::uword h = 0; h < 2; ++h)
        for (arma::uword w = 0; w < 2; ++w) x(0, 0, h, w) = double(2 * h + w + 1);
    const Tensor4 out = pad2d_forward(x, p);
    Tensor4 dout(out.shape());
    for (arma::uword h = 0; h < dout.h(); ++h)
        for (arma::uword w = 0; w < dout.w(); ++w) dout(0, 0, h, w) = double(dout.w() * h + w + 1);
    const Tensor4 dx = pad2d_backward(dout, p).dx;

    const double cell = 34;
    auto inside = [&](int a, int b) {
        return a >= p.top && a < p.top + int(x.h()) && b >= p.left && b < p.left + int(x.w());
    };
    auto plain = [](const Tensor4& t, const char* cls) {
        return [&t, cls](int r, int c) {
            return Cell{"#FFFFFF", num(t(0, 0, r, c)), data("class", cls) + data("data-h", r) + data("data-w", c)};
        };
    };
    const double xa = 20, xb = 150, y1 = 44, y2 = 44 + 3 * cell + 80;
    svg::Figure f(xb + out.w() * cell + 110, y2 + out.h() * cell + 54,
                  "Zero padding (P1) and its backward, the crop (P2)");
    f.text(10, 14, "forward (P1): p_top=" + std::to_string(p.top) + ", p_bottom=" + std::to_string(p.bottom) +
           ", p_left=" + std::to_string(p.left) + ", p_right=" + std::to_string(p.right), 11, "start");
    f.text(xa + cell, y1 - 10, "x", 12);
    f.grid(xa, y1, x.h(), x.w(), cell, plain(x, "x"));
    f.line(xa + 2 * cell + 8, y1 + cell, xb - 8, y1 + cell, "#333", true);
    f.text(xb + out.w() * cell / 2, y1 - 10, "out = pad(x)", 12);
    f.grid(xb, y1, out.h(), out.w(), cell, [&](int a, int b) {
        if (!inside(a, b)) return Cell{svg::dots, num(out(0, 0, a, b)), data("class", "padding")};
        return Cell{svg::light_blue, num(out(0, 0, a, b)), data("class", "copied")};
    });
    f.text(10, y2 - 50, "backward (P2): the crop; what lands on the", 12, "start");
    f.text(10, y2 - 33, "padding is dropped", 12, "start");
    f.text(xa + cell, y2 - 10, "dx", 12);
    f.grid(xa, y2, dx.h(), dx.w(), cell, plain(dx, "dx"));
    f.line(xb - 8, y2 + cell, xa + 2 * cell + 8, y2 + cell, "#333", true);
    f.text(xb + dout.w() * cell / 2, y2 - 10, "dout", 12);
    f.grid(xb, y2, dout.h(), dout.w(), cell, [&](int a, int b) {
        return Cell{inside(a, b) ? svg::light_blue : svg::hatch, num(dout(0, 0, a, b)),
                    data("class", inside(a, b) ? "kept" : "dropped")};
    });
    f.rect(xb + p.left * cell, y2 + p.top * cell, x.w() * cell, x.h() * cell, "none", svg::vermillion,
           "stroke-width=\"3\"");
    f.rect(20, y2 + 3 * cell + 20, 14, 14, svg::hatch, "#000");
    f.text(40, y2 + 3 * cell + 27, "dropped (padding)", 12, "start");
    f.rect(170, y2 + 3 * cell + 20, 14, 14, svg::dots, "#000");
    f.text(190, y2 + 3 * cell + 27, "padded zeros", 12, "start");
    return f.str();
}

}  // namespace

std::vector<Artifact> geometry_figures() {
    return {
        {"geometry-windows", "padded input, the taps of every window, the cells no tap reads (geometry)",
         geometry_windows},
        {"pad2d", "zero padding and the crop of its backward (pad2d)", pad2d_figure},
    };
}

}  // namespace cnnbp::cli
