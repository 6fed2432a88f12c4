#include "cnnbp/oracle.hpp"

#include "cnnbp/activation.hpp"
#include "cnnbp/avgpool2d.hpp"
#include "cnnbp/case_file.hpp"
#include "cnnbp/conv2d.hpp"
#include "cnnbp/error.hpp"
#include "cnnbp/flatten.hpp"
#include "cnnbp/gradcheck.hpp"
#include "cnnbp/linear.hpp"
#include "cnnbp/loss.hpp"
#include "cnnbp/maxpool2d.hpp"
#include "cnnbp/pad2d.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

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

    std::string at(const std::string& key) const { return file + ": " + key; }

    const json& params() const {
        static const json empty = json::object();
        if (!doc.contains("params")) return empty;
        if (!doc["params"].is_object()) fail(at("params"), " must be an object");
        return doc["params"];
    }

    void allow_params(std::initializer_list<const char*> names) const {
        const std::set<std::string> allowed(names.begin(), names.end());
        for (const auto& [key, value] : params().items())
            if (!allowed.count(key)) {
                std::string list;
                for (const char* n : names) list += std::string(list.empty() ? "" : ", ") + n;
                fail(at("params." + key), " is not a parameter of ", op,
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
            if (j.size() != 2) fail(at("params." + key), " must be an integer or [h, w], got ", j.dump());
            return {integer(j[0], "params." + key + "[0]", least), integer(j[1], "params." + key + "[1]", least)};
        }
        const int v = integer(j, "params." + key, least);
        return {v, v};
    }

    bool boolean(const std::string& key, bool fallback) const {
        if (!params().contains(key)) return fallback;
        if (!params()[key].is_boolean()) fail(at("params." + key), " must be true or false, got ", params()[key].dump());
        return params()[key].get<bool>();
    }

    // An integer (all four sides) or {"top", "bottom", "left", "right"} (a missing side is 0)
    Padding padding() const {
        if (!params().contains("padding")) return {};
        const json& j = params()["padding"];
        if (j.is_object()) {
            for (const auto& [side, v] : j.items())
                if (side != "top" && side != "bottom" && side != "left" && side != "right")
                    fail(at("params.padding." + side), " is not a side (top, bottom, left, right)");
            auto side = [&](const char* s) { return j.contains(s) ? integer(j[s], std::string("params.padding.") + s, 0) : 0; };
            return {side("top"), side("bottom"), side("left"), side("right")};
        }
        return Padding::all(integer(j, "params.padding", 0));
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
    if (!r.params().contains("kernel")) fail(r.at("params.kernel"), " is missing: ", r.op, " needs its window size");
    Window2d g;
    std::tie(g.kernel_h, g.kernel_w) = r.pair("kernel", {1, 1}, 1);
    std::tie(g.stride_h, g.stride_w) = r.pair("stride", {g.kernel_h, g.kernel_w}, 1);
    g.pad = r.padding();
    if (dilation) std::tie(g.dilation_h, g.dilation_w) = r.pair("dilation", {1, 1}, 1);
    g.ceil_mode = r.boolean("ceil_mode", false);
    return g;
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
    r.allow_params({"stride", "padding", "dilation", "groups"});
    r.allow_inputs({"x", "w", "b"});
    Conv2dParams p;
    std::tie(p.stride_h, p.stride_w) = r.pair("stride", {1, 1}, 1);
    p.pad = r.padding();
    std::tie(p.dilation_h, p.dilation_w) = r.pair("dilation", {1, 1}, 1);
    p.groups = r.params().contains("groups") ? r.integer(r.params()["groups"], "params.groups", 1) : 1;
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
    r.allow_params({"kernel", "stride", "padding", "dilation", "ceil_mode"});
    r.allow_inputs({"x"});
    const Window2d g = window_params(r, true);
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
    r.allow_params({"kernel", "stride", "padding", "ceil_mode", "count_include_pad"});
    r.allow_inputs({"x"});
    AvgPool2dParams p{window_params(r, false), r.boolean("count_include_pad", true)};
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

using Handler = std::function<void(const Reader&, Evaluation&)>;

const std::vector<std::pair<std::string, Handler>>& handlers() {
    static const std::vector<std::pair<std::string, Handler>> table = {
        {"pad2d", eval_pad2d},         {"conv2d", eval_conv2d},   {"maxpool2d", eval_maxpool2d},
        {"avgpool2d", eval_avgpool2d}, {"linear", eval_linear},   {"relu", eval_activation},
        {"sigmoid", eval_activation},  {"tanh", eval_activation}, {"flatten", eval_flatten},
        {"mse", eval_mse},             {"softmax_cross_entropy", eval_softmax_cross_entropy}};
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
    return keys;
}
}  // namespace

json expected_json(const Evaluation& e) {
    json out = json::object();
    for (const std::string& key : in_order(e)) out[key] = array_to_json(e.outputs.at(key).value);
    return out;
}

Precision precision(const std::string& dtype) {
    if (dtype == "float64") return {std::ldexp(1.0, -53), std::ldexp(1.0, -1022)};
    if (dtype == "float32") return {std::ldexp(1.0, -24), std::ldexp(1.0, -126)};
    fail("--dtype must be float64 or float32, got ", dtype);
}

double unit_roundoff(const std::string& dtype) { return precision(dtype).u; }

bool Verdict::pass() const {
    return !tensors.empty() && std::all_of(tensors.begin(), tensors.end(), [](const TensorVerdict& t) { return t.pass; });
}

Verdict check_result(const Evaluation& e, const json& result, const std::string& file, const Precision& precision,
                     TiePolicy ties) {
    const double u = precision.u;
    if (!result.is_object()) fail(file, ": a result must be a JSON object with some of the keys of expected");
    for (const auto& [key, value] : result.items())
        if (!e.outputs.count(key)) {
            std::string list;
            for (const std::string& k : in_order(e)) list += (list.empty() ? "" : ", ") + k;
            fail(file, ": ", key, " is not an output of this ", e.op, " case (", list, ")");
        }
    Verdict verdict;
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
    std::vector<GradcheckRow> rows;
    for (const auto& [input, value] : doc["inputs"].items()) {
        if (input == "labels" || input == "y") continue;  // not differentiable inputs
        const Array x = array_from_json(value, file + ": inputs." + input, false);
        GradcheckRow row;
        row.input = input;
        row.gradient = gradient_of(input);
        const Array& analytic = e.outputs.at(row.gradient).value;
        double scale = 0;
        for (double g : analytic.data) scale = std::max(scale, std::abs(g));
        const arma::uword n = x.data.size(), stride = max_elements == 0 || n <= max_elements ? 1 : (n + max_elements - 1) / max_elements;
        json probe = doc;
        const Expected& g = e.outputs.at(row.gradient);
        for (arma::uword k = 0; k < n; k += stride) {
            if (!g.has_interval.empty() && g.has_interval[k]) continue;  // a tie or a kink: no derivative to measure
            const double xk = x.data[k], h = fd_step(xk);
            element(probe["inputs"][input], x, k) = xk + h;
            const double up = objective(probe, file);
            element(probe["inputs"][input], x, k) = xk - h;
            const double down = objective(probe, file);
            element(probe["inputs"][input], x, k) = xk;
            const double numerical = (up - down) / (2 * h);
            const double relative = std::abs(numerical - analytic.data[k]) / std::max(scale, 1e-300);
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
