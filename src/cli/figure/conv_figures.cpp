// Figures of the convolution: the pixel's view (\ref conv2d), the closed form (\ref stride_dilation), groups
// (\ref groups) and im2col (\ref conv_matrix).
#include "figure_groups.hpp"
#include "svg.hpp"
#include "../docs/closed_form.hpp"

#include "cnnbp/cnnbp.hpp"

namespace cnnbp::cli {

namespace {

using svg::Cell;
using svg::num;

std::string idx(long long a, long long b) { return std::to_string(a) + "," + std::to_string(b); }

// The gather form (C6): the outputs (i, j) whose window holds pixel (h, w), each with the tap (u, v) it sits under,
// found by window_at(); one panel for a pixel in the middle and one for a corner.
std::string conv2d_pixel_view() {
    const arma::uword H = 5, W = 5, K = 3;
    Conv2dParams p;
    p.pad = Padding::all(1);
    const Conv2dShape s = conv2d_shape("conv2d-pixel-view", {1, 1, H, W}, {1, 1, K, K}, std::nullopt, p);
    const Window2d& g = s.window;
    const double small = 24, cell = 40, xin = 16, xout = 16 + W * small + 56, panel = s.out.h * cell + 56;
    svg::Figure f(xout + s.out.w * cell + 16, 2 * panel + 56,
                  "The pixel's view (C6): the windows that hold one pixel, and the tap it sits under in each");
    f.open(example_hooks(g, H, W));
    f.close();
    const std::pair<int, int> pixels[] = {{2, 2}, {0, 0}};
    for (int k = 0; k < 2; ++k) {
        const int h = pixels[k].first, w = pixels[k].second;  // not a structured binding: lambdas below capture them
        const double y = 30 + k * panel;
        f.text(xin, y - 14, std::string(k == 0 ? "a pixel in the middle, " : "a corner pixel, ") + "x[" + idx(h, w) +
               "]: the windows that hold it", 12, "start");
        f.grid(xin, y + 10, H, W, small, [&](int r, int c) {
            return r == h && c == w ? Cell{svg::orange, "x"} : Cell{};
        });
        f.text(xin + W * small / 2, y + 10 + H * small + 14, "x, " + std::to_string(H) + "x" + std::to_string(W), 11);
        f.line(xin + W * small + 8, y + 10 + H * small / 2, xout - 8, y + 10 + H * small / 2, "#333", true);
        f.open(data("class", "pixel") + data("data-h", h) + data("data-w", w));
        f.grid(xout, y, s.out.h, s.out.w, cell, [&](int i, int j) {
            for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v)
                    if (window_at(h + g.pad.top - u * g.dilation_h, g.stride_h, s.out.h) == i &&
                        window_at(w + g.pad.left - v * g.dilation_w, g.stride_w, s.out.w) == j)
                        return Cell{svg::light_blue, "w[" + idx(u, v) + "]",
                                    data("class", "window") + data("data-i", i) + data("data-j", j) +
                                        data("data-u", u) + data("data-v", v)};
            return Cell{svg::light_grey, ""};
        }, 11);
        f.close();
        f.text(xout + s.out.w * cell / 2, y + s.out.h * cell + 14, "dout: dx[" + idx(h, w) +
               "] = sum of w[u,v] dout[i,j]", 11);
    }
    f.text(xin, 2 * panel + 24, window_text(g) + ": in dout (i,j) shows the tap w[u,v]", 12, "start");
    f.text(xin, 2 * panel + 41, "under which the pixel lies; the kernel appears rotated by 180", 12, "start");
    return f.str();
}

// The closed form (S1)-(S3): dout spread by the stride, the filter dilated and rotated, the full convolution and its
// crop, computed here by the sum of (S3) and checked by the test against conv2d's own dx.
std::string stride_dilation_figure() {
    const arma::uword H = 4, W = 4, K = 2;
    Conv2dParams p;
    p.stride_h = p.stride_w = 2;
    p.dilation_h = p.dilation_w = 2;
    p.pad = Padding{1, 0, 0, 1};
    const Conv2dShape s = conv2d_shape("stride-dilation", {1, 1, H, W}, {1, 1, K, K}, std::nullopt, p);
    const arma::mat dout = {{1, 2}, {-1, 3}}, w = {{1, -1}, {2, 0.5}};
    const arma::mat ds = spread(dout, p.stride_h, p.stride_w);    // (S1)
    const arma::mat wd = spread(w, p.dilation_h, p.dilation_w);    // (S2)
    const arma::mat rot = arma::flipud(arma::fliplr(wd));
    const arma::mat full = full_convolution(ds, wd);  // (S3)

    const double cell = 34;
    // a plane whose entries sit `step` apart, the zeros inserted between them shaded; `flip` for the rotated one
    auto show = [&](const arma::mat& m, const char* cls, int step, bool flip) {
        return [&m, cls, step, flip](int r, int c) {
            const int a = flip ? int(m.n_rows) - 1 - r : r, b = flip ? int(m.n_cols) - 1 - c : c;
            const bool inserted = a % step != 0 || b % step != 0;
            return Cell{inserted ? svg::light_grey : "#FFFFFF", num(m(r, c)),
                        data("class", cls) + data("data-h", r) + data("data-w", c) + data("data-value", num(m(r, c)))};
        };
    };
    const double x1 = 20, x2 = 150, x3 = 316, y1 = 44, y2 = 44 + 3 * cell + 50, y3 = y2 + 3 * cell + 72;
    svg::Figure f(x3 + 3 * cell + 24, y3 + full.n_rows * cell + 60,
                  "The closed form of dx (S1)-(S3): dout spread by the stride, the filter dilated and rotated, the "
                  "full convolution, the crop");
    f.open(example_hooks(s.window, H, W));
    f.close();
    f.text(10, 14, "H=W=" + std::to_string(H) + ", K=" + std::to_string(K) + ", s=" + std::to_string(p.stride_h) +
           ", d=" + std::to_string(p.dilation_h) + ", p_top=" + std::to_string(p.pad.top) + ", p_left=" +
           std::to_string(p.pad.left) + "; H'=W'=" + std::to_string(s.out.h) + " (G1)", 12, "start");
    f.text(x1 + cell, y1 - 10, "dout", 12);
    f.grid(x1, y1, dout.n_rows, dout.n_cols, cell, show(dout, "dout", 1, false));
    f.line(x1 + 2 * cell + 8, y1 + cell, x2 - 8, y1 + cell, "#333", true);
    f.text((x1 + 2 * cell + x2) / 2, y1 + cell - 12, "(S1)", 11);
    f.text(x2 + ds.n_cols * cell / 2, y1 - 10, "dout^s: s-1 zeros between", 12);
    f.grid(x2, y1, ds.n_rows, ds.n_cols, cell, show(ds, "dout-s", p.stride_h, false));
    f.text(x1 + cell, y2 - 10, "w", 12);
    f.grid(x1, y2, w.n_rows, w.n_cols, cell, show(w, "w", 1, false));
    f.line(x1 + 2 * cell + 8, y2 + cell, x2 - 8, y2 + cell, "#333", true);
    f.text((x1 + 2 * cell + x2) / 2, y2 + cell - 12, "(S2)", 11);
    f.text(x2 + wd.n_cols * cell / 2, y2 - 10, "w^d", 12);
    f.grid(x2, y2, wd.n_rows, wd.n_cols, cell, show(wd, "w-d", p.dilation_h, false));
    f.line(x2 + 3 * cell + 8, y2 + 1.5 * cell, x3 - 8, y2 + 1.5 * cell, "#333", true);
    f.text((x2 + 3 * cell + x3) / 2, y2 + 1.5 * cell - 12, "rotate", 11);
    f.text(x3 + rot.n_cols * cell / 2, y2 - 10, "rotated w^d", 12);
    f.grid(x3, y2, rot.n_rows, rot.n_cols, cell, show(rot, "w-rot", p.dilation_h, true));
    f.text(x1, y3 - 40, "(S3): the full convolution of dout^s with w^d, that is the full", 12, "start");
    f.text(x1, y3 - 23, "cross-correlation with the rotated w^d (" + std::to_string(full.n_rows) + "x" +
           std::to_string(full.n_cols) + "), then the crop", 12, "start");
    const double xf = x2 - 40;
    f.grid(xf, y3, full.n_rows, full.n_cols, cell, [&](int a, int b) {
        const int h = a - p.pad.top, c = b - p.pad.left;
        if (h >= 0 && h < int(H) && c >= 0 && c < int(W))
            return Cell{svg::light_blue, num(full(a, b)), data("class", "dx") + data("data-h", h) + data("data-w", c) +
                                                           data("data-value", num(full(a, b)))};
        return Cell{svg::hatch, num(full(a, b)), data("class", "cropped")};
    });
    f.rect(xf + p.pad.left * cell, y3 + p.pad.top * cell, W * cell, H * cell, "none", svg::vermillion,
           "stroke-width=\"3\"");
    f.text(xf - 8, y3 + (p.pad.top + H / 2.0) * cell, "dx", 12, "end");
    f.rect(x1, y3 + full.n_rows * cell + 18, 14, 14, svg::hatch, "#000");
    f.text(x1 + 20, y3 + full.n_rows * cell + 25, "padding: cropped away (P2)", 12, "start");
    f.rect(x1 + 200, y3 + full.n_rows * cell + 18, 14, 14, svg::light_grey, "#000");
    f.text(x1 + 220, y3 + full.n_rows * cell + 25, "inserted zero", 12, "start");
    return f.str();
}

// Groups (K1): which input channels each filter reads, from conv2d_shape()'s C_g and F_g.
std::string groups_figure() {
    Conv2dParams p;
    p.groups = 2;
    const arma::uword C = 4, F = 6;
    const Conv2dShape s = conv2d_shape("conv-groups", {1, C, 3, 3}, {F, C / 2, 1, 1}, std::nullopt, p);
    const double row = 34, xc = 40, xf = 300, y0 = 50, box_w = 90, box_h = 24;
    auto cy = [&](double k, double n) { return y0 + (k + 0.5) * row * double(F) / n; };
    svg::Figure f(xf + box_w + 20, y0 + F * row + 56,
                  "Groups (K1): filter f reads only the input channels of its group g(f) = floor(f / F_g)");
    f.text(10, 16, "C=" + std::to_string(C) + ", F=" + std::to_string(F) + ", G=" + std::to_string(p.groups) +
           ": C_g=" + std::to_string(s.c_group) + ", F_g=" + std::to_string(s.f_group) + ", w is (F, C_g, K_h, K_w)",
           12, "start");
    f.text(xc + box_w / 2, y0 - 12, "input channels", 12);
    f.text(xf + box_w / 2, y0 - 12, "filters", 12);
    for (arma::uword f_ = 0; f_ < F; ++f_) {
        const arma::uword g = f_ / s.f_group;
        for (arma::uword k = 0; k < s.c_group; ++k) {
            const arma::uword c = g * s.c_group + k;
            f.line(xc + box_w, cy(c, C), xf, cy(f_, F), g == 0 ? svg::blue : svg::vermillion, false,
                   data("class", "reads") + data("data-f", f_) + data("data-c", c) +
                       (g == 0 ? " stroke-width=\"1.5\"" : " stroke-width=\"1.5\" stroke-dasharray=\"5 3\""));
        }
    }
    for (arma::uword c = 0; c < C; ++c) {
        const arma::uword g = c / s.c_group;
        f.rect(xc, cy(c, C) - box_h / 2, box_w, box_h, g == 0 ? svg::light_blue : svg::light_orange);
        f.text(xc + box_w / 2, cy(c, C), "c=" + std::to_string(c) + " (g " + std::to_string(g) + ")", 12);
    }
    for (arma::uword f_ = 0; f_ < F; ++f_) {
        const arma::uword g = f_ / s.f_group;
        f.rect(xf, cy(f_, F) - box_h / 2, box_w, box_h, g == 0 ? svg::light_blue : svg::light_orange);
        f.text(xf + box_w / 2, cy(f_, F), "f=" + std::to_string(f_) + " (g " + std::to_string(g) + ")", 12);
    }
    f.text(10, y0 + F * row + 20, "group 0: solid lines; group 1: dashed", 12, "start");
    f.text(10, y0 + F * row + 37, "w[f, c', u, v] meets input channel g(f) C_g + c'", 12, "start");
    return f.str();
}

// im2col (M1) on a small tensor whose values encode their own index: each entry of the matrix says which x it is.
std::string im2col_figure() {
    const Shape4 shape{1, 2, 3, 2};
    Window2d g{2, 2, 1, 1, Padding{0, 0, 1, 0}, 1, 1};
    const OutputSize o = output_size("conv-im2col", g, shape.h, shape.w);
    Tensor4 x(shape);
    for (arma::uword k = 0; k < x.size(); ++k) x.memptr()[k] = double(k + 1);  // 0 is left for the padding
    const arma::mat cols = im2col(x, 0, shape.c, g, o);
    auto source = [&](double value) {  // the index (n, c, h, w) of the element that holds `value`
        const arma::uword k = arma::uword(value) - 1, plane = k / (shape.h * shape.w), in = k % (shape.h * shape.w);
        return std::to_string(plane / shape.c) + "," + std::to_string(plane % shape.c) + "," +
               std::to_string(in % shape.h) + "," + std::to_string(in / shape.h);  // column-major plane
    };
    const double cw = 72, ch = 26, x0 = 84, y0 = 84;
    svg::Figure f(x0 + cols.n_cols * cw + 12, y0 + cols.n_rows * ch + 50,
                  "im2col (M1): row (c' K_h + u) K_w + v, column (n H' + i) W' + j holds x[n, c', i s + u d - p_top, "
                  "j s + v d - p_left]");
    auto str = [](arma::uword v) { return std::to_string(v); };
    f.open(example_hooks(g, shape.h, shape.w) +
           data("data-shape", str(shape.n) + " " + str(shape.c) + " " + str(shape.h) + " " + str(shape.w)));
    f.close();
    f.text(10, 14, "x is " + to_string(shape) + ", " + window_text(g) + "; cols is", 12, "start");
    f.text(10, 31, std::to_string(cols.n_rows) + "x" + std::to_string(cols.n_cols) + " = (C K_h K_w) x (N H' W')", 12,
           "start");
    f.text(x0 + cols.n_cols * cw / 2, 52, "column: output (n, i, j)", 12);
    f.text(10, y0 - 12, "row (c',u,v)", 11, "start");
    for (arma::uword k = 0; k < cols.n_cols; ++k) {
        const arma::uword n = k / (o.h * o.w), i = k / o.w % o.h, j = k % o.w;
        f.text(x0 + (k + 0.5) * cw, y0 - 12, "(" + std::to_string(n) + "," + idx(i, j) + ")", 11);
    }
    for (arma::uword r = 0; r < cols.n_rows; ++r) {
        const arma::uword c = r / (g.kernel_h * g.kernel_w), u = r / g.kernel_w % g.kernel_h, v = r % g.kernel_w;
        f.text(x0 - 8, y0 + (r + 0.5) * ch, "(" + std::to_string(c) + "," + idx(u, v) + ")", 11, "end");
    }
    for (arma::uword r = 0; r < cols.n_rows; ++r)
        for (arma::uword k = 0; k < cols.n_cols; ++k) {
            const bool pad = cols(r, k) == 0;
            const std::string src = pad ? "pad" : source(cols(r, k));
            const std::string channel_fill = r < cols.n_rows / 2 ? "#FFFFFF" : svg::light_blue;
            f.rect(x0 + k * cw, y0 + r * ch, cw, ch, pad ? svg::dots : channel_fill, "#000",
                   data("class", "entry") + data("data-row", r) + data("data-col", k) + data("data-source", src));
            f.text(x0 + (k + 0.5) * cw, y0 + (r + 0.5) * ch, pad ? "0" : "x[" + src + "]", 11);
        }
    f.text(10, y0 + cols.n_rows * ch + 20, "dotted: the tap is on the padding (0)", 12, "start");
    f.text(10, y0 + cols.n_rows * ch + 37, "shaded rows: channel 1", 12, "start");
    return f.str();
}

}  // namespace

std::vector<Artifact> conv_figures() {
    return {
        {"conv2d-pixel-view", "the windows around a middle and a corner pixel, with their taps (conv2d)",
         conv2d_pixel_view},
        {"stride-dilation", "dout spread, filter dilated and rotated, full convolution and crop (stride_dilation)",
         stride_dilation_figure},
        {"conv-groups", "which input channels each filter reads (groups)", groups_figure},
        {"conv-im2col", "the im2col matrix labelled by the tensor indices (conv_matrix)", im2col_figure},
    };
}

}  // namespace cnnbp::cli
