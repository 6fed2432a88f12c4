// maxpool2d as an op: its window in a case file, its evaluation with the tie intervals of (E5), its place in a
// network with the fragile gaps of (E7), and its random cases. The math is in layers/maxpool2d.hpp.
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/ops/support.hpp"

#include <algorithm>
#include <limits>

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

const Window2d& window(const OpParams& p) { return std::any_cast<const Window2d&>(p); }

// Refused before anything is computed when it would be too large (limits.hpp): K_h K_w taps per output.
void check_cost(const Window2d& g, const Shape4& x) {
    const OutputSize o = pool_output_size("maxpool2d", g, x.h, x.w);
    ops::check_cost("maxpool2d", {x.n, x.c, o.h, o.w}, std::uint64_t(g.kernel_h) * std::uint64_t(g.kernel_w));
}

OpParams read(const ParamReader& r) {
    r.allow({"kernel", "stride", "padding", "dilation", "ceil_mode"});
    return read_window(r, true);
}

json write(const OpParams& p) { return write_window(window(p), true); }

// The input cells (h, w) of window (i, j): its taps that fall on the input, in row-major window order.
std::vector<std::pair<arma::uword, arma::uword>> cells(const Tensor4& x, arma::uword i, arma::uword j, const Window2d& g) {
    std::vector<std::pair<arma::uword, arma::uword>> in;
    for (int u = 0; u < g.kernel_h; ++u)
        for (int v = 0; v < g.kernel_w; ++v) {
            const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
            const long long w = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
            if (h >= 0 && h < (long long)x.h() && w >= 0 && w < (long long)x.w()) in.emplace_back(h, w);
        }
    return in;
}

// The intervals of (E5) for dx: at a window with tied maxima, each tied cell may get any share of the window's dout
// between 0 and all of it.
void tie_intervals(const Tensor4& x, const Tensor4& dout, const Window2d& g, Expected& dx) {
    const arma::uword count = x.size();
    std::vector<double> low(count, 0.0), high(count, 0.0);
    std::vector<bool> tied(count, false);
    auto flat = [&](arma::uword n, arma::uword c, arma::uword h, arma::uword w) {
        return ((n * x.c() + c) * x.h() + h) * x.w() + w;  // row-major, as in Array
    };
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword i = 0; i < dout.h(); ++i)
                for (arma::uword j = 0; j < dout.w(); ++j) {
                    const Winner win = maxpool2d_winner(x, n, c, i, j, g);
                    const double best = x(n, c, win.h, win.w), d = dout(n, c, i, j);
                    std::vector<arma::uword> at_max;
                    for (const auto& [h, w] : cells(x, i, j, g))
                        if (x(n, c, h, w) == best) at_max.push_back(flat(n, c, h, w));
                    for (arma::uword k : at_max) {
                        if (at_max.size() > 1) tied[k] = true;
                        low[k] += at_max.size() > 1 ? std::min(0.0, d) : d;
                        high[k] += at_max.size() > 1 ? std::max(0.0, d) : d;
                    }
                }
    if (std::none_of(tied.begin(), tied.end(), [](bool t) { return t; })) return;
    dx.low = std::move(low);
    dx.high = std::move(high);
    dx.has_interval = std::move(tied);
}

void evaluate(const OpCase& c, Evaluation& e) {
    const Window2d& g = window(c.params);
    const Tensor4 x = tensor_input(c, "x");
    check_cost(g, x.shape());
    const Array out = to_array(maxpool2d_forward(x, g));
    const Tensor4 dout = to_tensor4(dout_like(c, out), "dout");
    e.outputs["out"] = exact_output(out);
    // a pixel that wins several windows sums their douts: at most K_h K_w of them
    e.outputs["dx"] = rounded_output(to_array(maxpool2d_backward(dout, x, g).dx), to_array(maxpool2d_backward(abs(dout), x, g).dx),
                               double(g.kernel_h * g.kernel_w));
    tie_intervals(x, dout, g, e.outputs["dx"]);
}

Value forward(const OpParams& p, const LayerParams&, const Value& in) {
    check_cost(window(p), std::get<Tensor4>(in).shape());
    return maxpool2d_forward(std::get<Tensor4>(in), window(p));
}

LayerBackward backward(const OpParams& p, const LayerParams&, const Value& in, const Value& dout) {
    return {maxpool2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in), window(p)).dx, {}};
}

// The winner carries its own error: the largest error in the window bounds it. (E7): a window whose two largest
// values are within their errors of each other may pick another winner.
Value forward_error(const OpParams& p, const LayerParams&, const Value& a, const Value& c, const std::string& where,
                    std::vector<Fragile>& fragile) {
    const Tensor4& x = std::get<Tensor4>(a);
    const Tensor4& cx = std::get<Tensor4>(c);
    const Window2d& g = window(p);
    const OutputSize o = pool_output_size("maxpool2d", g, x.h(), x.w());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword ch = 0; ch < x.c(); ++ch)
            for (arma::uword i = 0; i < o.h; ++i)
                for (arma::uword j = 0; j < o.w; ++j) {
                    const Winner win = maxpool2d_winner(x, n, ch, i, j, g);
                    double gap = std::numeric_limits<double>::infinity(), coef = 0;
                    for (const auto& [h, w] : cells(x, i, j, g)) {
                        if (h == win.h && w == win.w) continue;
                        const double d = x(n, ch, win.h, win.w) - x(n, ch, h, w);
                        if (d < gap) gap = d, coef = cx(n, ch, win.h, win.w) + cx(n, ch, h, w);
                    }
                    if (std::isfinite(gap))
                        fragile.push_back({gap, coef,
                                           where + ", window (" + std::to_string(n) + "," + std::to_string(ch) + "," +
                                               std::to_string(i) + "," + std::to_string(j) + ")",
                                           x(n, ch, win.h, win.w)});
                }
    return maxpool2d_forward(cx, g);
}

BackwardCoefficients backward_error(const OpParams& p, const LayerParams&, const Value& a, const Value&, const Value& da,
                                    const Value& g) {
    const Tensor4& x = std::get<Tensor4>(a);
    const Window2d& w = window(p);
    const double n = double(w.kernel_h * w.kernel_w);
    return {scaled(n, Value(maxpool2d_backward(abs(std::get<Tensor4>(da)), x, w).dx)) +
                Value(maxpool2d_backward(std::get<Tensor4>(g), x, w).dx), {}, {}};
}

// N 1-3, C 1-2, any window with dilation and ceil_mode; all values different unless hunt --ties
OpCase generate(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), c = d.integer("c", 1, 2);
    arma::uword h = 0, w = 0;
    const Window2d g = draw_window(d, true, true, true, h, w);
    OpCase k{nullptr, g, {{"x", draw_array(d, "x", {n, c, h, w}, d.ties ? ValueRule::ties : ValueRule::distinct)}}, {}};
    const OutputSize o = pool_output_size("maxpool2d", g, h, w);
    k.dout = draw_array(d, "dout", {n, c, o.h, o.w});
    return k;
}

std::vector<std::string> conditions(const OpCase& k) {
    const Array& x = k.inputs.at("x");
    std::vector<std::string> found = window_conditions(window(k.params), x.shape[2], x.shape[3], true);
    if (x.shape[0] > 1) found.emplace_back("batch of several");
    return found;
}

}  // namespace

Op maxpool2d_op() {
    return {.name = "maxpool2d", .inputs = {"x"}, .read = read, .write = write, .evaluate = evaluate,
            .forward = forward, .backward = backward, .forward_error = forward_error, .backward_error = backward_error,
            .generate = generate, .conditions = conditions};
}

}  // namespace cnnbp::ops
