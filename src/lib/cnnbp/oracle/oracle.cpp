#include "cnnbp/oracle/oracle.hpp"

#include "cnnbp/layers/activation.hpp"
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/flatten.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/layers/pad2d.hpp"
#include "cnnbp/net/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <tuple>

namespace cnnbp {

using json = nlohmann::ordered_json;

namespace {

// The factor over the bound of (E3): the bound is already a worst case, so 2 only absorbs the few roundings the model
// leaves out (the rounding of an input read in, one extra ulp of a library's exp).
constexpr double safety = 2.0;

// ---------------------------------------------------------------------------------------------------------------
// Reading a case

struct Reader {
    const json& doc;
    std::string file, op;
    std::string prefix = "params";  // how messages name the params object ("params.layers[2]" inside a network)

    std::string at(const std::string& key) const { return file + ": " + key; }

    const json& params() const {
        static const json empty = json::object();
        if (!doc.contains("params")) return empty;
        if (!doc["params"].is_object()) fail(at(prefix), " must be an object");
        return doc["params"];
    }

    void allow_params(std::initializer_list<const char*> names) const {
        const std::set<std::string> allowed(names.begin(), names.end());
        for (const auto& [key, value] : params().items())
            if (!allowed.count(key)) {
                std::string list;
                for (const char* n : names) list += std::string(list.empty() ? "" : ", ") + n;
                fail(at(prefix + "." + key), " is not a parameter of ", op,
                     list.empty() ? std::string(" (it has none)") : " (" + list + ")");
            }
    }

    int integer(const json& j, const std::string& where, int least) const {
        if (!j.is_number_integer()) fail(at(where), " must be an integer, got ", j.dump());
        const long long v = j.get<long long>();
        if (v < least || v > 1000000) fail(at(where), " must be between ", least, " and 1000000, got ", v);
        return static_cast<int>(v);
    }

    // An integer or [h, w]
    std::pair<int, int> pair(const std::string& key, std::pair<int, int> fallback, int least) const {
        if (!params().contains(key)) return fallback;
        const json& j = params()[key];
        if (j.is_array()) {
            if (j.size() != 2) fail(at(prefix + "." + key), " must be an integer or [h, w], got ", j.dump());
            return {integer(j[0], prefix + "." + key + "[0]", least), integer(j[1], prefix + "." + key + "[1]", least)};
        }
        const int v = integer(j, prefix + "." + key, least);
        return {v, v};
    }

    bool boolean(const std::string& key, bool fallback) const {
        if (!params().contains(key)) return fallback;
        if (!params()[key].is_boolean()) fail(at(prefix + "." + key), " must be true or false, got ", params()[key].dump());
        return params()[key].get<bool>();
    }

    // An integer (all four sides) or {"top", "bottom", "left", "right"} (a missing side is 0)
    Padding padding() const {
        if (!params().contains("padding")) return {};
        const json& j = params()["padding"];
        if (j.is_object()) {
            for (const auto& [side, v] : j.items())
                if (side != "top" && side != "bottom" && side != "left" && side != "right")
                    fail(at(prefix + ".padding." + side), " is not a side (top, bottom, left, right)");
            auto side = [&](const char* s) { return j.contains(s) ? integer(j[s], prefix + ".padding." + s, 0) : 0; };
            return {side("top"), side("bottom"), side("left"), side("right")};
        }
        return Padding::all(integer(j, prefix + ".padding", 0));
    }

    const json& inputs() const {
        if (!doc.contains("inputs") || !doc["inputs"].is_object()) fail(at("inputs"), " is missing or not an object");
        return doc["inputs"];
    }

    void allow_inputs(std::initializer_list<const char*> names) const {
        const std::set<std::string> allowed(names.begin(), names.end());
        for (const auto& [key, value] : inputs().items())
            if (!allowed.count(key)) fail(at("inputs." + key), " is not an input of ", op);
    }

    bool has_input(const std::string& key) const { return inputs().contains(key); }

    Array input(const std::string& key) const {
        if (!has_input(key)) fail(at("inputs." + key), " is missing: ", op, " needs it");
        return array_from_json(inputs()[key], at("inputs." + key), false);
    }

    Array dout() const {
        if (!doc.contains("dout")) fail(at("dout"), " is missing: ", op, " needs the upstream gradient");
        return array_from_json(doc["dout"], at("dout"), false);
    }

    double scalar_dout() const {
        if (!doc.contains("dout")) return 1.0;
        return to_scalar(array_from_json(doc["dout"], at("dout"), false), at("dout"));
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Building the outputs with their magnitudes

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

Tensor4 abs(const Tensor4& t) {
    Tensor4 a = t;
    a.data() = arma::abs(t.data());
    return a;
}

Expected expected(Array value, Array magnitude, double roundings) {
    Array n{value.shape, std::vector<double>(value.data.size(), roundings)};
    return {std::move(value), std::move(magnitude), std::move(n), {}, {}, {}};
}

// An exact result (a copy, a max, a relu): no rounding at all.
Expected exact(Array value) {
    Array m = value;
    for (double& v : m.data) v = std::abs(v);
    return expected(std::move(value), std::move(m), 0.0);
}

void shape_must_match(const Reader& r, const Array& dout, const Array& out) {
    if (dout.shape != out.shape)
        fail(r.at("dout"), " has shape ", dout.shape_string(), " but the output of ", r.op, " has shape ",
             out.shape_string());
}

Window2d window_params(const Reader& r, bool dilation) {
    if (!r.params().contains("kernel")) fail(r.at(r.prefix + ".kernel"), " is missing: ", r.op, " needs its window size");
    Window2d g;
    std::tie(g.kernel_h, g.kernel_w) = r.pair("kernel", {1, 1}, 1);
    std::tie(g.stride_h, g.stride_w) = r.pair("stride", {g.kernel_h, g.kernel_w}, 1);
    g.pad = r.padding();
    if (dilation) std::tie(g.dilation_h, g.dilation_w) = r.pair("dilation", {1, 1}, 1);
    g.ceil_mode = r.boolean("ceil_mode", false);
    return g;
}

Conv2dParams conv_params(const Reader& r) {
    r.allow_params({"stride", "padding", "dilation", "groups"});
    Conv2dParams p;
    std::tie(p.stride_h, p.stride_w) = r.pair("stride", {1, 1}, 1);
    p.pad = r.padding();
    std::tie(p.dilation_h, p.dilation_w) = r.pair("dilation", {1, 1}, 1);
    p.groups = r.params().contains("groups") ? r.integer(r.params()["groups"], r.prefix + ".groups", 1) : 1;
    return p;
}

AvgPool2dParams avgpool_params(const Reader& r) {
    r.allow_params({"kernel", "stride", "padding", "ceil_mode", "count_include_pad"});
    return {window_params(r, false), r.boolean("count_include_pad", true)};
}

Window2d maxpool_params(const Reader& r) {
    r.allow_params({"kernel", "stride", "padding", "dilation", "ceil_mode"});
    return window_params(r, true);
}

// (E2) for each op: the value, the magnitudes (the same formula on absolute values) and the number of roundings.

void eval_pad2d(const Reader& r, Evaluation& e) {
    r.allow_params({"padding"});
    r.allow_inputs({"x"});
    const Padding p = r.padding();
    const Tensor4 x = to_tensor4(r.input("x"), r.at("inputs.x"));
    const Array out = to_array(pad2d_forward(x, p));
    const Array dout = r.dout();
    shape_must_match(r, dout, out);
    e.outputs["out"] = exact(out);
    e.outputs["dx"] = exact(to_array(pad2d_backward(to_tensor4(dout, r.at("dout")), p).dx));
}

void eval_conv2d(const Reader& r, Evaluation& e) {
    const Conv2dParams p = conv_params(r);
    r.allow_inputs({"x", "w", "b"});
    const Tensor4 x = to_tensor4(r.input("x"), r.at("inputs.x")), w = to_tensor4(r.input("w"), r.at("inputs.w"));
    std::optional<arma::vec> b;
    if (r.has_input("b")) b = to_vector(r.input("b"), r.at("inputs.b"));
    const Conv2dShape s = conv2d_shape("conv2d", x.shape(), w.shape(), b, p);
    const Array out = to_array(conv2d_forward_matrix(x, w, b, p));
    const Array dout_a = r.dout();
    shape_must_match(r, dout_a, out);
    const Tensor4 dout = to_tensor4(dout_a, r.at("dout"));
    const Conv2dGrads g = conv2d_backward(dout, x, w, p);
    std::optional<arma::vec> abs_b;
    if (b) abs_b = arma::abs(*b);
    const Conv2dGrads m = conv2d_backward(abs(dout), abs(x), abs(w), p);
    const double k = double(s.window.kernel_h * s.window.kernel_w);
    e.outputs["out"] = expected(out, to_array(conv2d_forward_matrix(abs(x), abs(w), abs_b, p)), double(s.c_group) * k + 1);
    e.outputs["dx"] = expected(to_array(g.dx), to_array(m.dx), double(s.f_group) * k);
    const double positions = double(x.n() * s.out.h * s.out.w);
    e.outputs["dw"] = expected(to_array(g.dw), to_array(m.dw), positions);
    if (b) e.outputs["db"] = expected(to_array(g.db), to_array(m.db), positions);
}

// The intervals of (E5) for a max pool's dx: at a window with tied maxima, each tied cell may get any share of the
// window's dout between 0 and all of it.
void maxpool_tie_intervals(const Tensor4& x, const Tensor4& dout, const Window2d& g, Expected& dx) {
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
                    std::vector<arma::uword> cells;
                    for (int u = 0; u < g.kernel_h; ++u)
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                            const long long w = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                            if (h >= 0 && h < (long long)x.h() && w >= 0 && w < (long long)x.w() && x(n, c, h, w) == best)
                                cells.push_back(flat(n, c, h, w));
                        }
                    for (arma::uword k : cells) {
                        if (cells.size() > 1) tied[k] = true;
                        low[k] += cells.size() > 1 ? std::min(0.0, d) : d;
                        high[k] += cells.size() > 1 ? std::max(0.0, d) : d;
                    }
                }
    if (std::none_of(tied.begin(), tied.end(), [](bool t) { return t; })) return;
    dx.low = std::move(low);
    dx.high = std::move(high);
    dx.has_interval = std::move(tied);
}

void eval_maxpool2d(const Reader& r, Evaluation& e) {
    const Window2d g = maxpool_params(r);
    r.allow_inputs({"x"});
    const Tensor4 x = to_tensor4(r.input("x"), r.at("inputs.x"));
    const Array out = to_array(maxpool2d_forward(x, g));
    const Array dout_a = r.dout();
    shape_must_match(r, dout_a, out);
    const Tensor4 dout = to_tensor4(dout_a, r.at("dout"));
    e.outputs["out"] = exact(out);
    // a pixel that wins several windows sums their douts: at most K_h K_w of them
    e.outputs["dx"] = expected(to_array(maxpool2d_backward(dout, x, g).dx), to_array(maxpool2d_backward(abs(dout), x, g).dx),
                               double(g.kernel_h * g.kernel_w));
    maxpool_tie_intervals(x, dout, g, e.outputs["dx"]);
}

void eval_avgpool2d(const Reader& r, Evaluation& e) {
    const AvgPool2dParams p = avgpool_params(r);
    r.allow_inputs({"x"});
    const Tensor4 x = to_tensor4(r.input("x"), r.at("inputs.x"));
    const Array out = to_array(avgpool2d_forward(x, p));
    const Array dout_a = r.dout();
    shape_must_match(r, dout_a, out);
    const Tensor4 dout = to_tensor4(dout_a, r.at("dout"));
    const double n = double(p.window.kernel_h * p.window.kernel_w) + 1;  // the sum, then one division per term or once
    e.outputs["out"] = expected(out, to_array(avgpool2d_forward(abs(x), p)), n);
    e.outputs["dx"] = expected(to_array(avgpool2d_backward(dout, x.shape(), p).dx),
                               to_array(avgpool2d_backward(abs(dout), x.shape(), p).dx), n);
}

void eval_linear(const Reader& r, Evaluation& e) {
    r.allow_params({});
    r.allow_inputs({"x", "w", "b"});
    const arma::mat x = to_matrix(r.input("x"), r.at("inputs.x")), w = to_matrix(r.input("w"), r.at("inputs.w"));
    std::optional<arma::vec> b;
    if (r.has_input("b")) b = to_vector(r.input("b"), r.at("inputs.b"));
    const Array out = to_array(linear_forward(x, w, b));
    const Array dout_a = r.dout();
    shape_must_match(r, dout_a, out);
    const arma::mat dout = to_matrix(dout_a, r.at("dout"));
    const LinearGrads g = linear_backward(dout, x, w), m = linear_backward(arma::abs(dout), arma::abs(x), arma::abs(w));
    std::optional<arma::vec> abs_b;
    if (b) abs_b = arma::abs(*b);
    e.outputs["out"] = expected(out, to_array(linear_forward(arma::abs(x), arma::abs(w), abs_b)), double(x.n_cols) + 1);
    e.outputs["dx"] = expected(to_array(g.dx), to_array(m.dx), double(w.n_rows));
    e.outputs["dw"] = expected(to_array(g.dw), to_array(m.dw), double(x.n_rows));
    if (b) e.outputs["db"] = expected(to_array(g.db), to_array(m.db), double(x.n_rows));
}

// Elementwise ops work on the data whatever the rank: one column holding every element.
arma::mat column(const Array& a) { return arma::mat(a.data); }
Array shaped(const Array& like, const arma::mat& m) { return {like.shape, {m.begin(), m.end()}}; }

void eval_activation(const Reader& r, Evaluation& e) {
    r.allow_params({});
    r.allow_inputs({"x"});
    const Array xa = r.input("x"), dout_a = r.dout();
    shape_must_match(r, dout_a, xa);
    const arma::mat x = column(xa), dout = column(dout_a);
    if (r.op == "relu") {
        e.outputs["out"] = exact(shaped(xa, relu_forward(x)));
        Expected dx = exact(shaped(xa, relu_backward(dout, x).dx));
        // (E5): at x = 0 exactly relu has two one-sided derivatives, 0 and 1: any dx between 0 and dout is defensible
        if (arma::any(arma::vectorise(x) == 0.0)) {
            dx.low.assign(x.n_elem, 0.0), dx.high.assign(x.n_elem, 0.0), dx.has_interval.assign(x.n_elem, false);
            for (arma::uword k = 0; k < x.n_elem; ++k)
                if (x(k) == 0.0) dx.has_interval[k] = true, dx.low[k] = std::min(0.0, dout(k)), dx.high[k] = std::max(0.0, dout(k));
        }
        e.outputs["dx"] = dx;
        return;
    }
    const bool sigmoid = r.op == "sigmoid";
    const arma::mat out = sigmoid ? sigmoid_forward(x) : tanh_forward(x);
    const arma::mat dx = sigmoid ? sigmoid_backward(dout, x).dx : tanh_backward(dout, x).dx;
    // (E4): the value carries a few roundings of its own; the derivative s (1 - s) or 1 - t^2 is bounded by the
    // magnitudes entering it, s (1 + s) or 1 + t^2, not by its (possibly cancelled) result
    const arma::mat entering = sigmoid ? arma::mat(out % (1 + out)) : arma::mat(1 + arma::square(out));
    e.outputs["out"] = expected(shaped(xa, out), shaped(xa, arma::abs(out)), 4);
    e.outputs["dx"] = expected(shaped(xa, dx), shaped(xa, arma::mat(arma::abs(dout) % entering)), 8);
}

void eval_flatten(const Reader& r, Evaluation& e) {
    r.allow_params({});
    r.allow_inputs({"x"});
    const Tensor4 x = to_tensor4(r.input("x"), r.at("inputs.x"));
    const Array out = to_array(flatten_forward(x)), dout_a = r.dout();
    shape_must_match(r, dout_a, out);
    e.outputs["out"] = exact(out);
    e.outputs["dx"] = exact(to_array(flatten_backward(to_matrix(dout_a, r.at("dout")), x.shape()).dx));
}

void eval_mse(const Reader& r, Evaluation& e) {
    r.allow_params({});
    r.allow_inputs({"a", "y"});
    const arma::mat a = to_matrix(r.input("a"), r.at("inputs.a")), y = to_matrix(r.input("y"), r.at("inputs.y"));
    const double dloss = r.scalar_dout();
    const double loss = mse_forward(a, y);
    const arma::mat mag = arma::abs(a) + arma::abs(y);
    e.outputs["loss"] = expected(to_array(loss), to_array(arma::accu(arma::square(mag)) / (2.0 * a.n_rows)), double(a.n_elem) + 3);
    e.outputs["da"] = expected(to_array(mse_backward(dloss, a, y).da), to_array(arma::mat(std::abs(dloss) * mag / double(a.n_rows))), 3);
}

void eval_softmax_cross_entropy(const Reader& r, Evaluation& e) {
    r.allow_params({});
    r.allow_inputs({"z", "labels"});
    const arma::mat z = to_matrix(r.input("z"), r.at("inputs.z"));
    const Array la = r.input("labels");
    if (la.rank() != 1) fail(r.at("inputs.labels"), " must be a list of N integers, but it has shape ", la.shape_string());
    arma::uvec labels(la.data.size());
    for (arma::uword n = 0; n < labels.n_elem; ++n) {
        const double v = la.data[n];
        if (v != std::floor(v) || v < 0)
            fail(r.at("inputs.labels[" + std::to_string(n) + "]"), " = ", v, " is not a non-negative integer");
        labels(n) = static_cast<arma::uword>(v);
    }
    const double dloss = r.scalar_dout();
    const double loss = softmax_cross_entropy_forward(z, labels);
    const arma::mat dz = softmax_cross_entropy_backward(dloss, z, labels).dz;
    // (E4): per sample the loss is max + log(sum e^(z - max)) - z_y; each exponent z - max carries the rounding of a
    // subtraction of terms of size |z| + |max|, which the exp turns into a relative error of the same size
    const arma::vec mu = arma::max(z, 1);
    const arma::mat p = softmax(z);
    arma::mat spread = arma::abs(z);
    spread.each_col() += arma::abs(mu);
    double loss_mag = 0;
    for (arma::uword n = 0; n < z.n_rows; ++n)
        loss_mag += std::abs(mu(n)) + std::log(double(z.n_cols)) + std::abs(z(n, labels(n))) + spread.row(n).max() + 1;
    arma::mat onehot(arma::size(z), arma::fill::zeros);
    for (arma::uword n = 0; n < z.n_rows; ++n) onehot(n, labels(n)) = 1;
    const arma::mat dz_mag = std::abs(dloss) * (p % (spread + 2) + onehot) / double(z.n_rows);
    const double n_terms = double(z.n_cols) + 4;
    e.outputs["loss"] = expected(to_array(loss), to_array(loss_mag / double(z.n_rows)), n_terms);
    e.outputs["dz"] = expected(to_array(dz), to_array(dz_mag), n_terms);
}

// ---------------------------------------------------------------------------------------------------------------
// A network: (E6), first-order error coefficients carried through every layer, forward and backward

// Elementwise arithmetic on the values that flow between layers (both kinds hold their elements contiguously).
double* elems(Value& v) { return std::visit([](auto& t) { return t.memptr(); }, v); }
const double* elems(const Value& v) { return std::visit([](const auto& t) -> const double* { return t.memptr(); }, v); }
arma::uword count(const Value& v) {
    return std::visit([](const auto& t) -> arma::uword {
        if constexpr (std::is_same_v<std::decay_t<decltype(t)>, Tensor4>) return t.size();
        else return t.n_elem;
    }, v);
}
template <class F>
Value zip(const Value& a, const Value& b, F f) {
    Value out = a;
    double* o = elems(out);
    const double *x = elems(a), *y = elems(b);
    for (arma::uword k = 0; k < count(a); ++k) o[k] = f(x[k], y[k]);
    return out;
}
Value operator+(const Value& a, const Value& b) { return zip(a, b, [](double x, double y) { return x + y; }); }
Value scaled(double s, const Value& a) { return zip(a, a, [s](double x, double) { return s * x; }); }
Array array_of(const Value& v) { return std::visit([](const auto& t) { return to_array(t); }, v); }

// The layer's forward map applied to nonnegative values: |J| c for the linear layers.
struct NetworkLayer {
    Layer layer;
    LayerParams params;
};

std::string layer_where(std::size_t l, const Layer& layer) { return "layer " + std::to_string(l) + " (" + layer_name(layer) + ")"; }

// c_out = n M + |J| c_in for layer l, with `a` its input; records fragile relu inputs and max-pool windows.
Value forward_coefficients(const NetworkLayer& nl, const Value& a, const Value& c, std::size_t l, std::vector<Fragile>& fragile) {
    const LayerParams& p = nl.params;
    return std::visit(
        overloaded{
            [&](const Conv2dLayer& layer) -> Value {
                const Tensor4& x = std::get<Tensor4>(a);
                const Tensor4 w = abs(std::get<Tensor4>(*p.w));
                std::optional<arma::vec> b;
                if (p.b) b = arma::abs(*p.b);
                const Conv2dShape s = conv2d_shape("conv2d", x.shape(), w.shape(), b, layer.params);
                const double n = double(s.c_group * s.window.kernel_h * s.window.kernel_w) + 1;
                return scaled(n, Value(conv2d_forward_matrix(abs(x), w, b, layer.params))) +
                       Value(conv2d_forward_matrix(std::get<Tensor4>(c), w, std::nullopt, layer.params));
            },
            [&](const Pad2dLayer& layer) -> Value { return pad2d_forward(std::get<Tensor4>(c), layer.padding); },
            [&](const FlattenLayer&) -> Value { return flatten_forward(std::get<Tensor4>(c)); },
            [&](const LinearLayer&) -> Value {
                const arma::mat& x = std::get<arma::mat>(a);
                const arma::mat w = arma::abs(std::get<arma::mat>(*p.w));
                std::optional<arma::vec> b;
                if (p.b) b = arma::abs(*p.b);
                return scaled(double(x.n_cols) + 1, Value(linear_forward(arma::abs(x), w, b))) +
                       Value(linear_forward(std::get<arma::mat>(c), w, std::nullopt));
            },
            [&](const MaxPool2dLayer& layer) -> Value {
                const Tensor4& x = std::get<Tensor4>(a);
                const Tensor4& cx = std::get<Tensor4>(c);
                const Window2d& g = layer.window;
                const OutputSize o = pool_output_size("maxpool2d", g, x.h(), x.w());
                for (arma::uword n = 0; n < x.n(); ++n)  // (E7): the gap between a window's two largest values
                    for (arma::uword ch = 0; ch < x.c(); ++ch)
                        for (arma::uword i = 0; i < o.h; ++i)
                            for (arma::uword j = 0; j < o.w; ++j) {
                                const Winner win = maxpool2d_winner(x, n, ch, i, j, g);
                                double gap = std::numeric_limits<double>::infinity(), coef = 0;
                                for (int u = 0; u < g.kernel_h; ++u)
                                    for (int v = 0; v < g.kernel_w; ++v) {
                                        const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                                        const long long w = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                                        if (h < 0 || h >= (long long)x.h() || w < 0 || w >= (long long)x.w()) continue;
                                        if (arma::uword(h) == win.h && arma::uword(w) == win.w) continue;
                                        const double d = x(n, ch, win.h, win.w) - x(n, ch, h, w);
                                        if (d < gap) gap = d, coef = cx(n, ch, win.h, win.w) + cx(n, ch, h, w);
                                    }
                                if (std::isfinite(gap))
                                    fragile.push_back({gap, coef, layer_where(l, nl.layer) + ", window (" + std::to_string(n) + "," +
                                                                      std::to_string(ch) + "," + std::to_string(i) + "," + std::to_string(j) + ")"});
                            }
                return maxpool2d_forward(cx, g);  // the largest error in the window bounds the winner's
            },
            [&](const AvgPool2dLayer& layer) -> Value {
                const double n = double(layer.params.window.kernel_h * layer.params.window.kernel_w) + 1;
                return scaled(n, Value(avgpool2d_forward(abs(std::get<Tensor4>(a)), layer.params))) +
                       Value(avgpool2d_forward(std::get<Tensor4>(c), layer.params));
            },
            [&](const ReluLayer&) -> Value {
                for (arma::uword k = 0; k < count(a); ++k)
                    fragile.push_back({std::abs(elems(a)[k]), elems(c)[k], layer_where(l, nl.layer) + ", input element " + std::to_string(k)});
                return zip(c, a, [](double ck, double x) { return x > 0 ? ck : 0.0; });
            },
            [&](const SigmoidLayer&) -> Value {
                return zip(a, c, [](double x, double ck) { return 4 * scalar::sigmoid(x) + scalar::sigmoid_prime(x) * ck; });
            },
            [&](const TanhLayer&) -> Value {
                return zip(a, c, [](double x, double ck) { return 4 * std::abs(std::tanh(x)) + scalar::tanh_prime(x) * ck; });
            }},
        nl.layer);
}

struct BackwardCoefficients {
    Value g_in;                   // the error coefficient of da[l-1]
    std::optional<Value> dw;      // of the weights' gradient
    std::optional<arma::vec> db;  // of the bias's gradient
};

// Layer l's backward: from g (the coefficient of da[l]) and c (of a[l-1]) to the coefficients of da[l-1] and of the
// parameters' gradients; da is the exact da[l], a the exact a[l-1].
BackwardCoefficients backward_coefficients(const NetworkLayer& nl, const Value& a, const Value& c, const Value& da, const Value& g) {
    const LayerParams& p = nl.params;
    return std::visit(
        overloaded{
            [&](const Conv2dLayer& layer) -> BackwardCoefficients {
                const Tensor4 x = abs(std::get<Tensor4>(a)), w = abs(std::get<Tensor4>(*p.w)), d = abs(std::get<Tensor4>(da));
                const Conv2dShape s = conv2d_shape("conv2d", x.shape(), w.shape(), std::nullopt, layer.params);
                const double k = double(s.window.kernel_h * s.window.kernel_w), positions = double(x.n() * s.out.h * s.out.w);
                const Conv2dGrads m = conv2d_backward(d, x, w, layer.params);                       // magnitudes
                const Conv2dGrads from_g = conv2d_backward(std::get<Tensor4>(g), x, w, layer.params);  // dout's error
                const Conv2dGrads from_c = conv2d_backward(d, std::get<Tensor4>(c), w, layer.params);  // x's error in dw
                BackwardCoefficients out{scaled(double(s.f_group) * k, Value(m.dx)) + Value(from_g.dx),
                                         scaled(positions, Value(m.dw)) + Value(from_g.dw) + Value(from_c.dw), std::nullopt};
                if (p.b) out.db = positions * m.db + from_g.db;
                return out;
            },
            [&](const Pad2dLayer& layer) -> BackwardCoefficients { return {pad2d_backward(std::get<Tensor4>(g), layer.padding).dx, {}, {}}; },
            [&](const FlattenLayer&) -> BackwardCoefficients {
                return {flatten_backward(std::get<arma::mat>(g), std::get<Tensor4>(a).shape()).dx, {}, {}};
            },
            [&](const LinearLayer&) -> BackwardCoefficients {
                const arma::mat x = arma::abs(std::get<arma::mat>(a)), w = arma::abs(std::get<arma::mat>(*p.w));
                const arma::mat d = arma::abs(std::get<arma::mat>(da)), ge = std::get<arma::mat>(g);
                const double n = double(x.n_rows);
                BackwardCoefficients out{Value(arma::mat(double(w.n_rows) * (d * w) + ge * w)),
                                         Value(arma::mat(n * (d.t() * x) + ge.t() * x + d.t() * std::get<arma::mat>(c))), std::nullopt};
                if (p.b) out.db = arma::vec(n * arma::sum(d, 0).t() + arma::sum(ge, 0).t());
                return out;
            },
            [&](const MaxPool2dLayer& layer) -> BackwardCoefficients {
                const Tensor4& x = std::get<Tensor4>(a);
                const double n = double(layer.window.kernel_h * layer.window.kernel_w);
                return {scaled(n, Value(maxpool2d_backward(abs(std::get<Tensor4>(da)), x, layer.window).dx)) +
                            Value(maxpool2d_backward(std::get<Tensor4>(g), x, layer.window).dx), {}, {}};
            },
            [&](const AvgPool2dLayer& layer) -> BackwardCoefficients {
                const Shape4 s = std::get<Tensor4>(a).shape();
                const double n = double(layer.params.window.kernel_h * layer.params.window.kernel_w) + 1;
                return {scaled(n, Value(avgpool2d_backward(abs(std::get<Tensor4>(da)), s, layer.params).dx)) +
                            Value(avgpool2d_backward(std::get<Tensor4>(g), s, layer.params).dx), {}, {}};
            },
            [&](const ReluLayer&) -> BackwardCoefficients {
                return {zip(g, a, [](double gk, double x) { return x > 0 ? gk : 0.0; }), {}, {}};
            },
            [&](const SigmoidLayer&) -> BackwardCoefficients {
                // dx = dout s'(x): dout's error times s', x's error times |dout| |s''|, and (E4)'s own rounding
                Value out = zip(g, a, [](double gk, double x) { return gk * scalar::sigmoid_prime(x); });
                const Value own = zip(da, a, [](double d, double x) {
                    const double s = scalar::sigmoid(x);
                    return 8 * std::abs(d) * s * (1 + s);
                });
                const Value via_x = zip(zip(da, a, [](double d, double x) {
                    const double s = scalar::sigmoid(x);
                    return std::abs(d) * std::abs(s * (1 - s) * (1 - 2 * s));  // |sigma''|
                }), c, [](double m, double ck) { return m * ck; });
                return {out + own + via_x, {}, {}};
            },
            [&](const TanhLayer&) -> BackwardCoefficients {
                Value out = zip(g, a, [](double gk, double x) { return gk * scalar::tanh_prime(x); });
                const Value own = zip(da, a, [](double d, double x) {
                    const double t = std::tanh(x);
                    return 8 * std::abs(d) * (1 + t * t);
                });
                const Value via_x = zip(zip(da, a, [](double d, double x) {
                    const double t = std::tanh(x);
                    return std::abs(d) * std::abs(2 * t * (1 - t * t));  // |tanh''|
                }), c, [](double m, double ck) { return m * ck; });
                return {out + own + via_x, {}, {}};
            }},
        nl.layer);
}

Layer parse_layer(const json& spec, std::size_t l, const std::string& file) {
    const std::string where = "params.layers[" + std::to_string(l - 1) + "]";
    if (!spec.is_object() || !spec.contains("op") || !spec["op"].is_string())
        fail(file, ": ", where, " must be an object with an op");
    const std::string op = spec["op"].get<std::string>();
    json params = spec;
    params.erase("op");
    const json doc = {{"params", params}};
    const Reader r{doc, file, op, where};
    if (op == "conv2d") return Conv2dLayer{conv_params(r)};
    if (op == "pad2d") {
        r.allow_params({"padding"});
        return Pad2dLayer{r.padding()};
    }
    if (op == "maxpool2d") return MaxPool2dLayer{maxpool_params(r)};
    if (op == "avgpool2d") return AvgPool2dLayer{avgpool_params(r)};
    r.allow_params({});
    if (op == "relu") return ReluLayer{};
    if (op == "sigmoid") return SigmoidLayer{};
    if (op == "tanh") return TanhLayer{};
    if (op == "flatten") return FlattenLayer{};
    if (op == "linear") return LinearLayer{};
    fail(file, ": ", where, ".op \"", op, "\" is not a layer (conv2d, pad2d, relu, sigmoid, tanh, maxpool2d, avgpool2d, flatten, linear)");
}

Value value_of(const Array& a, const std::string& what) {
    if (a.rank() == 4) return to_tensor4(a, what);
    if (a.rank() == 2) return to_matrix(a, what);
    fail(what, " must be a rank-4 (N,C,H,W) or rank-2 (N,D) tensor, but it has shape ", a.shape_string());
}

void eval_sequential(const Reader& r, Evaluation& e) {
    r.allow_params({"layers", "loss"});
    r.allow_inputs({"x", "y", "labels", "layer_params"});
    const json& params = r.params();
    if (!params.contains("layers") || !params["layers"].is_array() || params["layers"].empty())
        fail(r.at("params.layers"), " must be a non-empty list of layers");
    if (!params.contains("loss") || (params["loss"] != "mse" && params["loss"] != "softmax_cross_entropy"))
        fail(r.at("params.loss"), " must be \"mse\" or \"softmax_cross_entropy\"");
    std::vector<NetworkLayer> net;
    for (std::size_t l = 1; l <= params["layers"].size(); ++l) net.push_back({parse_layer(params["layers"][l - 1], l, r.file), {}});
    const json& inputs = r.inputs();
    if (!inputs.contains("layer_params") || !inputs["layer_params"].is_array() || inputs["layer_params"].size() != net.size())
        fail(r.at("inputs.layer_params"), " must be a list of one object per layer ({\"w\", \"b\"} or {}), ", net.size(), " in all");
    for (std::size_t l = 1; l <= net.size(); ++l) {
        const json& lp = inputs["layer_params"][l - 1];
        const std::string where = "inputs.layer_params[" + std::to_string(l - 1) + "]";
        if (!lp.is_object()) fail(r.at(where), " must be an object");
        for (const auto& [key, value] : lp.items()) {
            if (key == "w") net[l - 1].params.w = value_of(array_from_json(value, r.at(where + ".w"), false), r.at(where + ".w"));
            else if (key == "b") net[l - 1].params.b = to_vector(array_from_json(value, r.at(where + ".b"), false), r.at(where + ".b"));
            else fail(r.at(where + "." + key), " is not a parameter (w, b)");
        }
    }
    const Value x = value_of(r.input("x"), r.at("inputs.x"));
    Loss loss;
    if (params["loss"] == "mse") {
        loss = MseLoss{to_matrix(r.input("y"), r.at("inputs.y"))};
    } else {
        const Array la = r.input("labels");
        arma::uvec labels(la.data.size());
        for (arma::uword n = 0; n < labels.n_elem; ++n) {
            if (la.data[n] != std::floor(la.data[n]) || la.data[n] < 0)
                fail(r.at("inputs.labels[" + std::to_string(n) + "]"), " = ", la.data[n], " is not a non-negative integer");
            labels(n) = arma::uword(la.data[n]);
        }
        loss = SoftmaxCrossEntropyLoss{labels};
    }
    std::vector<Layer> layers;
    std::vector<LayerParams> layer_params;
    for (const NetworkLayer& nl : net) layers.push_back(nl.layer), layer_params.push_back(nl.params);
    const SequentialTrace t = sequential_backprop(layers, layer_params, x, loss);
    const std::size_t L = net.size();

    // (E6) forward: c[0] = 0 (the inputs are exact), c[l] = n M + |J| c[l-1]
    std::vector<Value> c{scaled(0.0, x)};
    for (std::size_t l = 1; l <= L; ++l) c.push_back(forward_coefficients(net[l - 1], t.a[l - 1], c[l - 1], l, e.fragile));
    // the loss and its gradient, with the error of a[L]
    const arma::mat& out = std::get<arma::mat>(t.a[L]);
    const arma::mat& cl = std::get<arma::mat>(c[L]);
    const double N = double(out.n_rows);
    double c_loss;
    arma::mat g_out;
    if (const auto* m = std::get_if<MseLoss>(&loss)) {
        const arma::mat mag = arma::abs(out) + arma::abs(m->y);
        c_loss = (double(out.n_elem) + 3) * arma::accu(arma::square(mag)) / (2 * N) + arma::accu(arma::abs(out - m->y) % cl) / N;
        g_out = 3 * mag / N + cl / N;
    } else {
        const arma::uvec& labels = std::get<SoftmaxCrossEntropyLoss>(loss).labels;
        const arma::mat p = softmax(out);
        arma::mat onehot(arma::size(out), arma::fill::zeros);
        for (arma::uword n = 0; n < out.n_rows; ++n) onehot(n, labels(n)) = 1;
        arma::mat spread = arma::abs(out);
        spread.each_col() += arma::abs(arma::max(out, 1));
        const double n_terms = double(out.n_cols) + 4;
        double mag = 0;
        for (arma::uword n = 0; n < out.n_rows; ++n) mag += spread.row(n).max() * 2 + std::log(double(out.n_cols)) + 1;
        c_loss = n_terms * mag / N + arma::accu(arma::abs(p - onehot) % cl) / N;
        arma::mat through = cl;  // |J_softmax| c <= p (c + sum_m p_m c_m), row by row
        through.each_col() += arma::sum(p % cl, 1);
        g_out = n_terms * (p % (spread + 2) + onehot) / N + 2 * (p % through) / N;
    }
    // (E6) backward
    std::vector<BackwardCoefficients> back(L + 1);
    Value g = g_out;
    for (std::size_t l = L; l >= 1; --l) {
        back[l] = backward_coefficients(net[l - 1], t.a[l - 1], c[l - 1], t.da[l], g);
        g = back[l].g_in;
    }
    auto coefficient = [](Array value, const Value& coef) { return expected(std::move(value), array_of(coef), 1.0); };
    e.layers = L;
    e.outputs["loss"] = expected(to_array(t.loss), to_array(c_loss), 1.0);
    e.outputs["dx"] = coefficient(array_of(t.da[0]), g);
    for (std::size_t l = 1; l <= L; ++l) {
        const std::string key = "layer_grads[" + std::to_string(l - 1) + "]";
        if (t.grads[l - 1].dw) e.outputs[key + ".dw"] = coefficient(array_of(*t.grads[l - 1].dw), *back[l].dw);
        if (t.grads[l - 1].db) e.outputs[key + ".db"] = expected(to_array(*t.grads[l - 1].db), to_array(*back[l].db), 1.0);
    }
}

using Handler = std::function<void(const Reader&, Evaluation&)>;

const std::vector<std::pair<std::string, Handler>>& handlers() {
    static const std::vector<std::pair<std::string, Handler>> table = {
        {"pad2d", eval_pad2d},         {"conv2d", eval_conv2d},   {"maxpool2d", eval_maxpool2d},
        {"avgpool2d", eval_avgpool2d}, {"linear", eval_linear},   {"relu", eval_activation},
        {"sigmoid", eval_activation},  {"tanh", eval_activation}, {"flatten", eval_flatten},
        {"mse", eval_mse},             {"softmax_cross_entropy", eval_softmax_cross_entropy},
        {"sequential", eval_sequential}};
    return table;
}

}  // namespace

const std::vector<std::string>& case_ops() {
    static const std::vector<std::string> ops = [] {
        std::vector<std::string> v;
        for (const auto& [name, handler] : handlers()) v.push_back(name);
        return v;
    }();
    return ops;
}

Evaluation evaluate_case(const json& doc, const std::string& file) {
    if (!doc.is_object()) fail(file, ": a case must be a JSON object");
    if (!doc.contains("format")) fail(file, ": format is missing; a case starts with \"format\": \"cnnbp-case/1\"");
    if (doc["format"] != "cnnbp-case/1") fail(file, ": format is ", doc["format"].dump(), " but cnnbp reads \"cnnbp-case/1\"");
    if (!doc.contains("op") || !doc["op"].is_string()) fail(file, ": op is missing or not a string");
    const std::string op = doc["op"].get<std::string>();
    const auto& table = handlers();
    const auto it = std::find_if(table.begin(), table.end(), [&](const auto& h) { return h.first == op; });
    if (it == table.end()) {
        std::string list;
        for (const auto& [name, handler] : table) list += (list.empty() ? "" : ", ") + name;
        fail(file, ": op \"", op, "\" is unknown (cnnbp knows ", list, ")");
    }
    Evaluation e;
    e.op = op;
    if (doc.contains("exact")) {
        if (!doc["exact"].is_boolean()) fail(file, ": exact must be true or false");
        e.exact = doc["exact"].get<bool>();
    }
    const Reader reader{doc, file, op};
    try {
        it->second(reader, e);
    } catch (const Error& err) {
        const std::string what = err.what();
        if (what.rfind(file, 0) == 0) throw;  // already names the file
        fail(file, ": ", what);
    }
    return e;
}

namespace {
// The outputs in the order the documentation lists them: values first, then gradients, inputs before parameters.
std::vector<std::string> in_order(const Evaluation& e) {
    static const std::vector<std::string> order = {"out", "loss", "dx", "da", "dz", "dw", "db"};
    std::vector<std::string> keys;
    for (const std::string& k : order)
        if (e.outputs.count(k)) keys.push_back(k);
    for (std::size_t l = 0; l < e.layers; ++l)
        for (const char* g : {".dw", ".db"}) {
            const std::string key = "layer_grads[" + std::to_string(l) + "]" + g;
            if (e.outputs.count(key)) keys.push_back(key);
        }
    return keys;
}

// A network's result holds "layer_grads": [{"dw": T, "db": T} or {}, ...]; the judge sees "layer_grads[l].dw" keys.
json flattened(const Evaluation& e, const json& result, const std::string& file) {
    if (e.layers == 0 || !result.contains("layer_grads")) return result;
    json flat = result;
    flat.erase("layer_grads");
    const json& grads = result["layer_grads"];
    if (!grads.is_array() || grads.size() != e.layers)
        fail(file, ": layer_grads must be a list of ", e.layers, " objects, one per layer");
    for (std::size_t l = 0; l < e.layers; ++l) {
        if (!grads[l].is_object()) fail(file, ": layer_grads[", l, "] must be an object");
        for (const auto& [key, value] : grads[l].items()) flat["layer_grads[" + std::to_string(l) + "]." + key] = value;
    }
    return flat;
}
}  // namespace

json expected_json(const Evaluation& e) {
    json out = json::object();
    for (const std::string& key : in_order(e))
        if (key.rfind("layer_grads[", 0) != 0) out[key] = array_to_json(e.outputs.at(key).value);
    if (e.layers > 0) {
        out["layer_grads"] = json::array();
        for (std::size_t l = 0; l < e.layers; ++l) {
            json g = json::object();
            for (const char* name : {"dw", "db"}) {
                const std::string key = "layer_grads[" + std::to_string(l) + "]." + name;
                if (e.outputs.count(key)) g[name] = array_to_json(e.outputs.at(key).value);
            }
            out["layer_grads"].push_back(g);
        }
    }
    return out;
}

Precision precision(const std::string& dtype) {
    if (dtype == "float64") return {std::ldexp(1.0, -53), std::ldexp(1.0, -1022)};
    if (dtype == "float32") return {std::ldexp(1.0, -24), std::ldexp(1.0, -126)};
    fail("--dtype must be float64 or float32, got ", dtype);
}

double unit_roundoff(const std::string& dtype) { return precision(dtype).u; }

bool flips(const Fragile& f, const Precision& precision) {
    return f.distance <= safety * (precision.u * f.coefficient + precision.tiny);
}

bool Verdict::pass() const {
    return !tensors.empty() && std::all_of(tensors.begin(), tensors.end(), [](const TensorVerdict& t) { return t.pass; });
}

Verdict check_result(const Evaluation& e, const json& result_doc, const std::string& file, const Precision& precision,
                     TiePolicy ties) {
    const double u = precision.u;
    if (!result_doc.is_object()) fail(file, ": a result must be a JSON object with some of the keys of expected");
    const json result = flattened(e, result_doc, file);
    for (const auto& [key, value] : result.items())
        if (!e.outputs.count(key)) {
            std::string list;
            for (const std::string& k : in_order(e)) list += (list.empty() ? "" : ", ") + k;
            fail(file, ": ", key, " is not an output of this ", e.op, " case (", list, ")");
        }
    Verdict verdict;
    // (E7): if a correct computation in this precision could land on the other side of a kink or pick another max-pool
    // winner, the network's gradients are not determined by the case: nothing is judged.
    for (const Fragile& f : e.fragile)
        if (flips(f, precision)) {
            std::ostringstream why;
            why << f.where << " is within " << f.distance << " of a kink or tie, inside its error bound "
                << safety * (u * f.coefficient + precision.tiny);
            verdict.not_judged = why.str();
            break;
        }
    for (const std::string& key : in_order(e)) {
        const Expected& x = e.outputs.at(key);
        if (!result.contains(key)) {
            verdict.not_provided.push_back(key);
            continue;
        }
        const Array got = array_from_json(result[key], file + ": " + key, true);
        if (got.shape != x.value.shape)
            fail(file, ": ", key, " has shape ", got.shape_string(), " but the expected ", key, " has shape ",
                 x.value.shape_string());
        TensorVerdict t;
        t.key = key;
        t.elements = got.data.size();
        if (!verdict.not_judged.empty()) {
            verdict.tensors.push_back(t);
            continue;
        }
        double worst_ratio = -1;
        arma::uword zeros = 0;
        for (arma::uword k = 0; k < t.elements; ++k) {
            const double want = x.value.data[k], have = got.data[k];
            if (want == 0.0) ++zeros;
            const double n = x.roundings.data[k];
            // (E3): the error a correct computation in precision u can make, plus the rounding of the stored result,
            // plus the absolute error of a result that underflows (an exp of a large negative number is 0 in float32)
            const double gamma = n * u / (1 - n * u);
            const double bound =
                e.exact ? 0.0 : safety * (gamma * x.magnitude.data[k] + u * std::abs(want) + precision.tiny);
            double difference = std::abs(have - want);
            const bool interval = !x.has_interval.empty() && x.has_interval[k] && ties == TiePolicy::any;
            if (interval)  // (E5): inside [low, high] is as good as the oracle's own choice
                difference = have < x.low[k] ? x.low[k] - have : (have > x.high[k] ? have - x.high[k] : 0.0);
            if (std::isnan(have)) difference = std::numeric_limits<double>::infinity();
            ++t.judged;
            const bool ok = difference <= bound;
            if (!ok) t.pass = false;
            const double ratio = bound > 0 ? difference / bound : (difference > 0 ? std::numeric_limits<double>::infinity() : 0.0);
            if (ratio > worst_ratio) {
                worst_ratio = ratio;
                t.worst_index = got.index_string(k);
                t.value = have, t.expected = want, t.difference = std::abs(have - want), t.bound = bound;
            }
        }
        t.mostly_zero = zeros * 10 > t.elements * 9;  // more than 90%: a max-pool dx is 75% zeros by design
        verdict.tensors.push_back(t);
    }
    return verdict;
}

namespace {

const char* gradient_of(const std::string& input) {
    if (input == "x") return "dx";
    if (input == "w") return "dw";
    if (input == "b") return "db";
    if (input == "a") return "da";
    return "dz";
}

// The scalar the gradients differentiate: <out, dout> for a layer, dloss * loss for a loss.
double objective(const json& doc, const std::string& file) {
    const Evaluation e = evaluate_case(doc, file);
    if (e.outputs.count("loss")) {
        const double dloss = doc.contains("dout") ? doc["dout"].get<double>() : 1.0;
        return dloss * e.outputs.at("loss").value.data[0];
    }
    const Array dout = array_from_json(doc["dout"], file + ": dout", false);
    const Array& out = e.outputs.at("out").value;
    double sum = 0;
    for (std::size_t k = 0; k < out.data.size(); ++k) sum += out.data[k] * dout.data[k];
    return sum;
}

// The JSON element of a nested array at row-major index k.
json& element(json& j, const Array& shape, arma::uword k) {
    json* at = &j;
    std::vector<arma::uword> index(shape.shape.size());
    for (std::size_t i = shape.shape.size(); i-- > 0;) index[i] = k % shape.shape[i], k /= shape.shape[i];
    for (arma::uword i : index) at = &(*at)[i];
    return *at;
}

}  // namespace

std::vector<GradcheckRow> gradcheck_case(const json& doc, const std::string& file, arma::uword max_elements) {
    const Evaluation e = evaluate_case(doc, file);
    // every differentiable input, with where its gradient is: x -> dx, ..., and a network's layer parameters
    std::vector<std::tuple<std::string, json::json_pointer, std::string>> targets;
    for (const auto& [input, value] : doc["inputs"].items()) {
        if (input == "labels" || input == "y") continue;  // not differentiable inputs
        if (input == "layer_params") {
            for (std::size_t l = 0; l < value.size(); ++l)
                for (const auto& [name, t] : value[l].items())
                    targets.emplace_back("layer " + std::to_string(l + 1) + " " + name,
                                         json::json_pointer("/inputs/layer_params/" + std::to_string(l) + "/" + name),
                                         "layer_grads[" + std::to_string(l) + "].d" + name);
            continue;
        }
        targets.emplace_back(input, json::json_pointer("/inputs/" + input), gradient_of(input));
    }
    std::vector<GradcheckRow> rows;
    for (const auto& [input, pointer, gradient] : targets) {
        const Array x = array_from_json(doc.at(pointer), file + ": " + input, false);
        GradcheckRow row;
        row.input = input;
        row.gradient = gradient;
        const Expected& g = e.outputs.at(gradient);
        double scale = 0;
        for (double v : g.value.data) scale = std::max(scale, std::abs(v));
        const arma::uword n = x.data.size(), stride = max_elements == 0 || n <= max_elements ? 1 : (n + max_elements - 1) / max_elements;
        json probe = doc;
        for (arma::uword k = 0; k < n; k += stride) {
            if (!g.has_interval.empty() && g.has_interval[k]) continue;  // a tie or a kink: no derivative to measure
            const double xk = x.data[k], h = fd_step(xk);
            element(probe.at(pointer), x, k) = xk + h;
            const double up = objective(probe, file);
            element(probe.at(pointer), x, k) = xk - h;
            const double down = objective(probe, file);
            element(probe.at(pointer), x, k) = xk;
            const double numerical = (up - down) / (2 * h);
            const double relative = std::abs(numerical - g.value.data[k]) / std::max(scale, 1e-300);
            ++row.checked;
            if (relative >= row.worst_relative) row.worst_relative = relative, row.worst_index = x.index_string(k);
        }
        rows.push_back(row);
    }
    return rows;
}

namespace {
void format_into(const json& j, int indent, std::string& out) {
    const std::string pad(indent, ' ');
    if (j.is_object()) {
        if (j.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        bool first = true;
        for (const auto& [key, value] : j.items()) {
            if (!first) out += ",\n";
            first = false;
            out += pad + "  " + json(key).dump() + ": ";
            format_into(value, indent + 2, out);
        }
        out += "\n" + pad + "}";
    } else if (j.is_array() && !j.empty() && j[0].is_array()) {
        out += "[\n";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out += pad + "  ";
            format_into(j[i], indent + 2, out);
            if (i + 1 < j.size()) out += ",";
            out += "\n";
        }
        out += pad + "]";
    } else {
        out += j.dump();  // a number, a string, or an innermost row on one line
    }
}
}  // namespace

std::string format_json(const json& doc) {
    std::string out;
    format_into(doc, 0, out);
    return out + "\n";
}

}  // namespace cnnbp
