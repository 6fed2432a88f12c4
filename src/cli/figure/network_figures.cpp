// Figures of the fully-connected layer's shapes (\ref linear) and of whole networks: the backpropagation algorithm's
// layers (\ref backprop) and the tiny CNN with its numbers (\ref tiny_cnn), each from a real run of the library.
#include "figure_groups.hpp"
#include "svg.hpp"

#include "cnnbp/cnnbp.hpp"

#include <algorithm>

namespace cnnbp::cli {

namespace {

using svg::Cell;
using svg::num;

const Tensor4& tensor(const Value& v) { return std::get<Tensor4>(v); }
double scalar(const Value& v) {
    return std::holds_alternative<arma::mat>(v) ? std::get<arma::mat>(v)(0, 0) : tensor(v)(0, 0, 0, 0);
}

// A plane of a Tensor4 as a grid whose cells carry their name and value for the tests.
std::function<Cell(int, int)> plane(const Tensor4& t, const std::string& name, int win_h = -1, int win_w = -1) {
    return [&t, name, win_h, win_w](int h, int w) {
        const double v = t(0, 0, h, w) + 0.0;
        return Cell{h == win_h && w == win_w ? svg::light_orange : "#FFFFFF", num(v, 3),
                    data("class", "value") + data("data-name", name) + data("data-h", h) + data("data-w", w) +
                        data("data-value", num(v)) + (h == win_h && w == win_w ? " stroke-width=\"3\"" : "")};
    };
}

std::string matrix_text(const Tensor4& t) {
    std::string s = "[";
    for (arma::uword h = 0; h < t.h(); ++h)
        for (arma::uword w = 0; w < t.w(); ++w)
            s += num(t(0, 0, h, w) + 0.0) + (w + 1 < t.w() ? " " : h + 1 < t.h() ? "; " : "]");
    return s;
}

// The tiny CNN of part I (tiny_cnn_example()): forward values on top, the gradients of the backward pass below.
std::string tiny_cnn_figure() {
    const NetworkCase net = tiny_cnn_example(false);
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    const Tensor4 &x = tensor(t.a[0]), &z = tensor(t.a[1]);
    const Winner win = maxpool2d_winner(z, 0, 0, 0, 0, Window2d::pooling(2, 2));
    const double b = (*net.params[0].b)(0), v = std::get<arma::mat>(*net.params[3].w)(0, 0),
                 c = (*net.params[3].b)(0), target = std::get<MseLoss>(net.loss).y(0, 0);

    const double xs = 30, zs = 36, box = 44, y0 = 60, y1 = 276;
    const double xx = 14, xz = 170, xp = 278, xr = 358, xe = 438;
    svg::Figure f(xe + box + 10, y1 + 4 * xs + 84,
                  "The tiny CNN (T1)-(T4): forward values on top, the backward pass's gradients below");
    auto scalar_box = [&](double left, double top, double value, const std::string& name) {
        f.rect(left, top, box, zs, "#FFFFFF", "#000",
               data("class", "value") + data("data-name", name) + data("data-value", num(value + 0.0)));
        f.text(left + box / 2, top + zs / 2, num(value + 0.0), 12);
    };
    auto step = [&](double from, double to, double y, const std::string& label) {
        f.line(from + 4, y, to - 4, y, "#333", true);
        f.text((from + to) / 2, y - 10, label, 10);
    };
    f.text(8, 14, "w = " + matrix_text(tensor(*net.params[0].w)) + ", b = " + num(b) + ", stride 2; v = " + num(v) +
           ", c = " + num(c) + ", t = " + num(target), 11, "start");
    f.text(8, 34, "forward", 12, "start", "font-weight=\"bold\"");
    f.grid(xx, y0, 4, 4, xs, plane(x, "x"), 11);
    f.rect(xx + 2 * win.w * xs, y0 + 2 * win.h * xs, 2 * xs, 2 * xs, "none", svg::vermillion, "stroke-width=\"3\"");
    f.grid(xz, y0 + xs, 2, 2, zs, plane(z, "z", win.h, win.w), 11);
    scalar_box(xp, y0 + 1.5 * xs, scalar(t.a[2]), "p");
    scalar_box(xr, y0 + 1.5 * xs, scalar(t.a[4]), "r");
    scalar_box(xe, y0 + 1.5 * xs, t.loss, "E");
    const double ym = y0 + 2 * xs;
    step(xx + 4 * xs, xz, ym, "conv");
    step(xz + 2 * zs, xp, ym, "max");
    step(xp + box, xr, ym, "vp+c");
    step(xr + box, xe, ym, "loss");
    f.text(xx + 2 * xs, y0 + 4 * xs + 14, "x", 12);
    f.text(xz + zs, y0 + xs + 2 * zs + 14, "z", 12);
    f.text(xp + box / 2, ym + 32, "p", 12);
    f.text(xr + box / 2, ym + 32, "r", 12);
    f.text(xe + box / 2, ym + 32, "E", 12);

    f.text(8, y1 - 26, "backward: each layer's backward, right to left", 12, "start", "font-weight=\"bold\"");
    f.grid(xx, y1, 4, 4, xs, plane(tensor(t.da[0]), "dx"), 11);
    f.grid(xz, y1 + xs, 2, 2, zs, plane(tensor(t.da[1]), "dz", win.h, win.w), 11);
    scalar_box(xp, y1 + 1.5 * xs, scalar(t.da[2]), "dp");
    scalar_box(xr, y1 + 1.5 * xs, scalar(t.da[4]), "dr");
    const double yb = y1 + 2 * xs;
    step(xz, xx + 4 * xs, yb, "(C3)");
    step(xp, xz + 2 * zs, yb, "(T3)");
    step(xr, xp + box, yb, "(T2)");
    step(xe + box / 2, xr + box, yb, "(Q2)");
    f.line(xe + box / 2, ym + 44, xe + box / 2, yb, "#333");
    f.text(xx + 2 * xs, y1 + 4 * xs + 14, "dE/dx", 12);
    f.text(xz + zs, y1 + xs + 2 * zs + 14, "dE/dz", 12);
    f.text(xp + box / 2, yb + 32, "dE/dp", 12);
    f.text(xr + box / 2, yb + 32, "dE/dr", 12);
    const LayerGrads &gc = t.grads[0], &gl = t.grads[3];
    const double yt = y1 + 4 * xs + 40;
    f.text(8, yt, "(T4): dE/dw = " + matrix_text(tensor(*gc.dw)) + ", dE/db = " + num((*gc.db)(0) + 0.0), 12,
           "start", data("class", "value") + data("data-name", "dw"));
    f.text(8, yt + 18, "(T2): dE/dv = " + num(std::get<arma::mat>(*gl.dw)(0, 0)) + ", dE/dc = " + num((*gl.db)(0)) +
           "; shaded: the winner of the max pool", 12, "start");
    return f.str();
}

// The classic backpropagation (B1)-(B5) on a small MLP: layers 0..L, W^l forward, (W^(l+1))^T delta back; the
// activations a^l (in the units) and the error signals delta^l (below them) of one sample, from backprop_mlp().
std::string backprop_figure() {
    const std::vector<arma::uword> sizes = {3, 4, 3, 2};
    std::vector<MlpLayer> net;
    for (std::size_t l = 1; l < sizes.size(); ++l) {
        arma::mat W(sizes[l], sizes[l - 1]);
        for (arma::uword r = 0; r < W.n_rows; ++r)
            for (arma::uword c = 0; c < W.n_cols; ++c) W(r, c) = double(int((r * 3 + c * 5 + l) % 7) - 3) / 4;
        arma::vec b(sizes[l]);
        for (arma::uword r = 0; r < b.n_elem; ++r) b(r) = double(int(r % 3) - 1) / 8;
        net.push_back({W, b, l + 1 < sizes.size() ? Activation::sigmoid : Activation::identity});
    }
    const arma::mat x = arma::vec{1.0, -0.5, 0.25}, y = arma::vec{0.5, -1.0};
    const MlpTrace t = backprop_mlp(net, x, y);
    const std::size_t L = sizes.size() - 1;

    const double dx = 128, dy = 52, x0 = 44, y0 = 78, r = 17;
    const double height = y0 + 4 * dy + 40;
    svg::Figure f(x0 + L * dx + 60, height + 110,
                  "Backpropagation (B1)-(B5): layers 0 to L, W^l forward, the error delta sent back through (W^(l+1))^T");
    auto unit_y = [&](std::size_t l, arma::uword k) { return y0 + (k + 0.5 * (4 - double(sizes[l]))) * dy; };
    for (std::size_t l = 1; l <= L; ++l) {  // the weights W^l: every unit of layer l-1 to every unit of layer l
        for (arma::uword k = 0; k < sizes[l]; ++k)
            for (arma::uword m = 0; m < sizes[l - 1]; ++m)
                f.line(x0 + (l - 1) * dx + r, unit_y(l - 1, m), x0 + l * dx - r, unit_y(l, k), "#BBBBBB");
        f.text(x0 + (l - 0.5) * dx, 50, "W^" + std::to_string(l) + " (" + std::to_string(sizes[l]) + "x" +
               std::to_string(sizes[l - 1]) + ")", 11, "middle", svg::halo);
    }
    for (std::size_t l = 0; l <= L; ++l) {
        f.open(data("class", "layer") + data("data-l", l) + data("data-units", sizes[l]));
        f.text(x0 + l * dx, 14, "layer " + std::to_string(l), 12, "middle", "font-weight=\"bold\"");
        f.text(x0 + l * dx, 31, l == 0 ? "a^0 = x" : l == L ? "a^L (output)" : "a^" + std::to_string(l) + " = f(z)",
               11);
        for (arma::uword k = 0; k < sizes[l]; ++k) {
            const double a = t.a[l](k, 0), cy = unit_y(l, k);
            const std::string delta = l == 0 ? "" : num(t.delta[l](k, 0), 3);
            f.circle(x0 + l * dx, cy, r, l == 0 ? svg::light_grey : svg::light_blue, "#000",
                     data("class", "unit") + data("data-l", l) + data("data-k", k) + data("data-a", num(a)) +
                         (l == 0 ? "" : data("data-delta", delta)));
            f.text(x0 + l * dx, cy, num(a, 2), 10);
            if (l > 0)
                f.text(x0 + l * dx + r + 2, cy + r - 2, delta, 10, "start",
                       svg::halo + std::string(" fill=\"") + svg::vermillion + "\" font-style=\"italic\"");
        }
        f.close();
    }
    // the backward pass: delta^L from the cost, then through (W^(l+1))^T
    const double yb = height - 12;
    for (std::size_t l = L; l >= 2; --l) {
        f.line(x0 + l * dx - 8, yb, x0 + (l - 1) * dx + 8, yb, svg::vermillion, true,
               "stroke-width=\"2\" stroke-dasharray=\"6 3\"");
        f.text(x0 + (l - 0.5) * dx, yb - 12, "(W^" + std::to_string(l) + ")^T", 11, "middle",
               std::string("fill=\"") + svg::vermillion + "\"");
    }
    for (std::size_t l = 1; l <= L; ++l) f.text(x0 + l * dx, yb + 16, "δ^" + std::to_string(l), 12);
    f.text(8, yb + 40, "in each unit a^l; beside it, italic, δ^l = dC/dz^l (one sample)", 11, "start");
    f.text(8, yb + 57, "(B3): δ^L = ∇_a C ⊙ f'(z^L)", 11, "start");
    f.text(8, yb + 74, "(B4): δ^l = ((W^(l+1))^T δ^(l+1)) ⊙ f'(z^l)", 11, "start");
    f.text(8, yb + 91, "(B5): dC/dW^l = δ^l (a^(l-1))^T,  dC/db^l = δ^l", 11, "start");
    return f.str();
}

// The shapes of the fully-connected layer's three products (L1)-(L3), from the matrices linear_forward() and
// linear_backward() return on a batch of N = 2 samples of D = 3 features and M = 4 outputs: one square per entry.
std::string linear_shapes() {
    const arma::uword N = 2, D = 3, M = 4;
    const arma::mat x = arma::reshape(arma::regspace(1, N * D), N, D), w = arma::reshape(arma::regspace(1, M * D), M, D);
    const arma::mat out = linear_forward(x, w, std::nullopt);
    const LinearGrads g = linear_backward(out, x, w);
    struct Term {
        std::string name;
        arma::uword rows, cols;
    };
    const std::vector<std::vector<Term>> products = {
        {{"out", out.n_rows, out.n_cols}, {"x", x.n_rows, x.n_cols}, {"W^T", w.n_cols, w.n_rows}},
        {{"dx", g.dx.n_rows, g.dx.n_cols}, {"dout", out.n_rows, out.n_cols}, {"W", w.n_rows, w.n_cols}},
        {{"dW", g.dw.n_rows, g.dw.n_cols}, {"dout^T", out.n_cols, out.n_rows}, {"x", x.n_rows, x.n_cols}},
    };
    const char* labels[] = {"(L1)", "(L2)", "(L3)"};
    const double cell = 16, pitch = std::max({N, D, M}) * cell + 44, x0 = 52, y0 = 54;
    svg::Figure f(std::max(x0 + 3 * (std::max({N, D, M}) * cell + 36), 340.0), y0 + 3 * pitch,
                  "The fully-connected layer's products (L1)-(L3): the shapes say which side each factor goes");
    f.text(8, 14, "N=" + std::to_string(N) + " samples (one per row), D=" + std::to_string(D) + " inputs,", 12,
           "start");
    f.text(8, 31, "M=" + std::to_string(M) + " outputs; one square per entry", 12, "start");
    for (std::size_t k = 0; k < products.size(); ++k) {
        const double top = y0 + k * pitch;
        f.text(8, top + 2 * cell, labels[k], 12, "start");
        double left = x0;
        for (std::size_t t = 0; t < 3; ++t) {
            const Term& m = products[k][t];
            f.open(data("class", "matrix") + data("data-product", long(k)) + data("data-name", m.name) +
                   data("data-rows", m.rows) + data("data-cols", m.cols));
            f.grid(left, top, m.rows, m.cols, cell, [&](int, int) {
                return Cell{t == 0 ? svg::light_orange : t == 1 ? svg::light_blue : svg::light_green};
            });
            f.close();
            f.text(left + m.cols * cell / 2, top + m.rows * cell + 14, m.name + " " + std::to_string(m.rows) + "x" +
                   std::to_string(m.cols), 12);
            left += m.cols * cell + 36;
            if (t < 2) f.text(left - 18, top + 2 * cell, t == 0 ? "=" : "·", 16);
        }
    }
    return f.str();
}

}  // namespace

std::vector<Artifact> network_figures() {
    return {
        {"linear-shapes", "the shapes of the fully-connected layer's three products (linear)", linear_shapes},
        {"backprop-layers", "layers 0..L of an MLP, W forward and W^T carrying delta back, with numbers (backprop)",
         backprop_figure},
        {"tiny-cnn", "the tiny CNN with every forward value and gradient (tiny_cnn)", tiny_cnn_figure},
    };
}

}  // namespace cnnbp::cli
