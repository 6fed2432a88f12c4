// The transposed convolution (\ref conv_transpose2d): every input pixel writes a scaled copy of the filter into the
// output, s apart, then the padding is cropped; the output padding adds rows no copy reaches.
#include "figure_groups.hpp"
#include "svg.hpp"

#include "cnnbp/cnnbp.hpp"

namespace cnnbp::cli {

namespace {

using svg::Cell;

std::string transpose_figure() {
    const arma::uword H = 2, W = 2, K = 3;
    ConvTranspose2dParams p;
    p.stride_h = p.stride_w = 2;
    p.output_padding_h = p.output_padding_w = 1;
    p.pad = Padding{1, 0, 1, 0};
    const ConvTranspose2dShape s = conv_transpose2d_shape("conv-transpose", {1, 1, H, W}, {1, 1, K, K}, std::nullopt, p);
    const int Hp = int(s.padded_h), Wp = int(s.padded_w);
    // the copies that reach each cell of the uncropped output, (U1)
    arma::imat copies(Hp, Wp, arma::fill::zeros);
    for (arma::uword h = 0; h < H; ++h)
        for (arma::uword w = 0; w < W; ++w)
            for (arma::uword u = 0; u < K; ++u)
                for (arma::uword v = 0; v < K; ++v)
                    ++copies(h * p.stride_h + u * p.dilation_h, w * p.stride_w + v * p.dilation_w);

    const double small = 44, cell = 40, xin = 14, xo = 14 + W * small + 54, y0 = 84;
    svg::Figure f(xo + Wp * cell + 20, y0 + Hp * cell + 104,
                  "Transposed convolution (U1), (U2): each input pixel writes the filter scaled by its value, s apart; "
                  "the output padding, then the crop");
    auto two = [](long long a, long long b) { return std::to_string(a) + " " + std::to_string(b); };
    f.open(data("class", "example") + data("data-h", H) + data("data-w", W) + data("data-kernel", two(K, K)) +
           data("data-stride", two(p.stride_h, p.stride_w)) +
           data("data-pad", two(p.pad.top, p.pad.bottom) + " " + two(p.pad.left, p.pad.right)) +
           data("data-output-padding", two(p.output_padding_h, p.output_padding_w)) + data("data-padded", two(Hp, Wp)) +
           data("data-out", two(s.out_shape.h, s.out_shape.w)));
    f.close();
    Window2d shown{int(K), int(K), p.stride_h, p.stride_w, p.pad, p.dilation_h, p.dilation_w};
    f.text(10, 14, "x " + std::to_string(H) + "x" + std::to_string(W) + ", " + window_text(shown) + ", op=" +
           std::to_string(p.output_padding_h), 12, "start");
    f.text(10, 31, "(U1): H_p=" + std::to_string(Hp) + ";  (U2): H_out=" + std::to_string(s.out_shape.h), 12, "start");
    f.text(xin + W * small / 2, y0 - 12, "x", 12);
    const char* colours[] = {svg::blue, svg::vermillion, svg::green, svg::purple};
    const char* dashes[] = {"", " stroke-dasharray=\"7 3\"", " stroke-dasharray=\"2 2\"", " stroke-dasharray=\"9 3 2 3\""};
    f.grid(xin, y0, H, W, small, [&](int h, int w) {
        return Cell{"#FFFFFF", "x[" + std::to_string(h) + "," + std::to_string(w) + "]"};
    }, 11);
    for (arma::uword h = 0; h < H; ++h)
        for (arma::uword w = 0; w < W; ++w) {
            const int k = int(h * W + w);
            f.rect(xin + w * small + 3, y0 + h * small + 3, small - 6, small - 6, "none", colours[k],
                   std::string("stroke-width=\"2\"") + dashes[k]);
        }
    f.line(xin + W * small + 10, y0 + small, xo - 10, y0 + small, "#333", true);
    f.text(xo + Wp * cell / 2, y0 - 30, "out^p: how many copies add in each cell", 12);
    f.grid(xo, y0, Hp, Wp, cell, [&](int a, int b) {
        const bool op = a >= Hp - p.output_padding_h || b >= Wp - p.output_padding_w;
        const std::string label = copies(a, b) ? std::to_string(copies(a, b)) : "";
        if (op) return Cell{svg::hatch, label, data("class", "output-padding")};
        return Cell{"#FFFFFF", label, data("class", "cell")};
    }, 11);
    for (int b = 0; b < Wp; ++b) f.text(xo + (b + 0.5) * cell, y0 - 10, std::to_string(b), 11);
    for (int a = 0; a < Hp; ++a) f.text(xo - 10, y0 + (a + 0.5) * cell, std::to_string(a), 11);
    // the copies: pixel (h, w) writes w * x[h, w] at rows h s + u d, columns w s + v d
    for (arma::uword h = 0; h < H; ++h)
        for (arma::uword w = 0; w < W; ++w) {
            const int k = int(h * W + w);
            const double inset = 3 + 3 * k, top = y0 + h * p.stride_h * cell, left = xo + w * p.stride_w * cell;
            const double ext_h = ((K - 1) * p.dilation_h + 1) * cell, ext_w = ((K - 1) * p.dilation_w + 1) * cell;
            f.rect(left + inset, top + inset, ext_w - 2 * inset, ext_h - 2 * inset, "none", colours[k],
                   data("class", "copy") + data("data-h", h) + data("data-w", w) + data("data-row", h * p.stride_h) +
                       data("data-col", w * p.stride_w) + " stroke-width=\"2\"" + dashes[k]);
        }
    f.rect(xo + p.pad.left * cell, y0 + p.pad.top * cell, s.out_shape.w * cell, s.out_shape.h * cell, "none", "#000",
           "stroke-width=\"4\" stroke-opacity=\"0.6\" class=\"crop\"");
    const double yl = y0 + Hp * cell + 20;
    f.rect(xin, yl, 14, 14, svg::hatch, "#000");
    f.text(xin + 20, yl + 7, "output padding (op): no copy reaches it", 12, "start");
    f.rect(xin, yl + 24, 14, 14, "none", "#000", "stroke-width=\"4\" stroke-opacity=\"0.6\"");
    f.text(xin + 20, yl + 31, "the output: what is left after the crop (U2)", 12, "start");
    f.text(xin, yl + 54, "x[h,w] writes w x[h,w] (frame as in x), s apart;", 12, "start");
    f.text(xin, yl + 71, "copies overlap where s < d(K-1)+1 and add up", 12, "start");
    return f.str();
}

}  // namespace

std::vector<Artifact> transpose_figures() {
    return {{"conv-transpose", "each input pixel writes a scaled copy of the filter; output padding; crop "
                               "(conv_transpose2d)",
             transpose_figure}};
}

}  // namespace cnnbp::cli
