#include "cnnbp/ops/support.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/limits.hpp"

#include <algorithm>
#include <cmath>

namespace cnnbp::ops {

using json = nlohmann::ordered_json;

Tensor4 tensor_input(const OpCase& c, const std::string& name) { return to_tensor4(c.inputs.at(name), "inputs." + name); }

arma::mat matrix_input(const OpCase& c, const std::string& name) { return to_matrix(c.inputs.at(name), "inputs." + name); }

std::optional<arma::vec> bias_input(const OpCase& c) {
    if (!c.inputs.count("b")) return std::nullopt;
    return to_vector(c.inputs.at("b"), "inputs.b");
}

arma::uvec class_labels(const Array& la) {
    arma::uvec labels(la.data.size());
    for (arma::uword n = 0; n < labels.n_elem; ++n) {
        const double v = la.data[n];
        if (v != std::floor(v) || v < 0 || v > 4294967295.0)  // checked before the conversion, which is exact below 2^32
            fail("inputs.labels[", n, "] = ", v, " is not a class index (an integer from 0)");
        labels(n) = static_cast<arma::uword>(v);
    }
    return labels;
}

arma::uvec labels_input(const OpCase& c) {
    const Array& la = c.inputs.at("labels");
    if (la.rank() != 1) fail("inputs.labels must be a list of N integers, but it has shape ", la.shape_string());
    return class_labels(la);
}

const Array& dout_like(const OpCase& c, const Array& out) {
    if (!c.dout) fail("dout is missing: ", c.op->name, " needs the upstream gradient");
    if (c.dout->shape != out.shape)
        fail("dout has shape ", c.dout->shape_string(), " but the output of ", c.op->name, " has shape ",
             out.shape_string());
    return *c.dout;
}

double scalar_dout(const OpCase& c) { return c.dout ? to_scalar(*c.dout, "dout") : 1.0; }

Tensor4 abs(const Tensor4& t) {
    Tensor4 a = t;
    a.data() = arma::abs(t.data());
    return a;
}

std::optional<arma::vec> abs(const std::optional<arma::vec>& b) {
    if (!b) return std::nullopt;
    return arma::vec(arma::abs(*b));
}

Tensor4 squared(const Tensor4& t) {
    Tensor4 a = t;
    a.data() = arma::square(t.data());
    return a;
}

std::optional<arma::vec> squared(const std::optional<arma::vec>& b) {
    if (!b) return std::nullopt;
    return arma::vec(arma::square(*b));
}

double max_abs(const Array& a) {
    double m = 0;
    for (double v : a.data) m = std::max(m, std::abs(v));
    return m;
}

void record_weighted_sums(const OpCase& c, const Array& dout, Sums out, Sums dx, Sums dw, std::optional<Sums> db,
                          Evaluation& e) {
    const Array &x = c.inputs.at("x"), &w = c.inputs.at("w");
    const FactorCheck fx = check_factor("x", x), fw = check_factor("w", w), fd = check_factor("dout", dout);
    const double mx = max_abs(x), mw = max_abs(w), md = max_abs(dout);
    const double mb = c.inputs.count("b") ? max_abs(c.inputs.at("b")) : 0.0;
    auto record = [&](const char* key, Sums& s, double largest, std::initializer_list<const FactorCheck*> factors) {
        e.outputs[key] = summed_output(std::move(s.value), std::move(s.magnitude), std::move(s.squares), s.terms, largest, factors);
    };
    record("out", out, std::max(mx * mw, mb), {&fx, &fw});
    record("dx", dx, md * mw, {&fd, &fw});
    record("dw", dw, md * mx, {&fd, &fx});
    if (db) record("db", *db, md, {&fd});
}

double* elems(Value& v) { return std::visit([](auto& t) { return t.memptr(); }, v); }
const double* elems(const Value& v) { return std::visit([](const auto& t) -> const double* { return t.memptr(); }, v); }
arma::uword count(const Value& v) {
    return std::visit([](const auto& t) -> arma::uword {
        if constexpr (std::is_same_v<std::decay_t<decltype(t)>, Tensor4>) return t.size();
        else return t.n_elem;
    }, v);
}

Value zip(const Value& a, const Value& b, double (*f)(double, double)) {
    Value out = a;
    double* o = elems(out);
    const double *x = elems(a), *y = elems(b);
    for (arma::uword k = 0; k < count(a); ++k) o[k] = f(x[k], y[k]);
    return out;
}

Value operator+(const Value& a, const Value& b) { return zip(a, b, [](double x, double y) { return x + y; }); }

Value scaled(double s, const Value& a) {
    Value out = a;
    double* o = elems(out);
    for (arma::uword k = 0; k < count(a); ++k) o[k] *= s;
    return out;
}

Array array_of(const Value& v) { return std::visit([](const auto& t) { return to_array(t); }, v); }

void check_cost(const std::string& op, std::initializer_list<std::uint64_t> output_shape, std::uint64_t terms) {
    const std::string output = op + "'s output", work = op + "'s work (output elements x terms each)";
    const std::uint64_t elements = checked_product(output.c_str(), output_shape, limits().elements, "--max-elements");
    checked_product(work.c_str(), {elements, terms}, limits().work, "--max-work");
}

OpParams read_no_params(const ParamReader& r) {
    r.allow({});
    return {};
}

json write_no_params(const OpParams&) { return json::object(); }

Window2d read_window(const ParamReader& r, bool dilation) {
    if (!r.has("kernel")) fail(r.prefix, ".kernel is missing: ", r.op, " needs its window size");
    Window2d g;
    std::tie(g.kernel_h, g.kernel_w) = r.pair("kernel", {1, 1}, 1);
    std::tie(g.stride_h, g.stride_w) = r.pair("stride", {g.kernel_h, g.kernel_w}, 1);
    g.pad = r.padding();
    if (dilation) std::tie(g.dilation_h, g.dilation_w) = r.pair("dilation", {1, 1}, 1);
    g.ceil_mode = r.boolean("ceil_mode", false);
    return g;
}

json write_window(const Window2d& g, bool dilation) {
    json j = {{"kernel", pair_json(g.kernel_h, g.kernel_w)}, {"stride", pair_json(g.stride_h, g.stride_w)},
              {"padding", padding_json(g.pad)}};
    if (dilation) j["dilation"] = pair_json(g.dilation_h, g.dilation_w);
    j["ceil_mode"] = g.ceil_mode;
    return j;
}

std::vector<std::string> window_conditions(const Window2d& g, arma::uword h, arma::uword w, bool pooling) {
    std::vector<std::string> found;
    const long long eh = g.dilation_h * (g.kernel_h - 1) + 1, ew = g.dilation_w * (g.kernel_w - 1) + 1;
    const long long ph = (long long)h + g.pad.top + g.pad.bottom, pw = (long long)w + g.pad.left + g.pad.right;
    if ((ph - eh) % g.stride_h || (pw - ew) % g.stride_w) found.push_back("input size leaves a remainder after the stride");
    if (g.stride_h < g.kernel_h || g.stride_w < g.kernel_w) found.push_back("overlapping windows");
    if (g.stride_h > g.kernel_h || g.stride_w > g.kernel_w) found.push_back("stride larger than the kernel");
    if (g.kernel_h == 1 && g.kernel_w == 1) found.push_back("1x1 kernel");
    if (eh == ph || ew == pw) found.push_back("kernel as large as the padded input");
    if (g.dilation_h > 1 || g.dilation_w > 1) found.push_back("dilation > 1");
    if (g.pad.top != g.pad.bottom || g.pad.left != g.pad.right) found.push_back("different padding at the two ends");
    if (pooling && g.pad.top == g.kernel_h / 2 && g.kernel_h > 1) found.push_back("padding as large as allowed");
    if (g.ceil_mode) {
        const long long full = output_size_1d(h, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom, g.dilation_h, false);
        const long long ceil = output_size_1d(h, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom, g.dilation_h, true);
        const long long unbounded = (ph - eh + g.stride_h - 1) / g.stride_h + 1;
        if (ceil > full) found.push_back("ceil_mode window that overhangs the padded input");
        if (unbounded > ceil) found.push_back("ceil_mode window that would start in the padding (dropped)");
    }
    return found;
}

Window2d draw_window(Draw& d, bool pooling, bool dilated, bool ceil, arma::uword& h, arma::uword& w) {
    Window2d g;
    g.kernel_h = d.integer("kernel", 1, 4);
    g.kernel_w = d.chance("square kernel", 70) ? g.kernel_h : d.integer("kernel", 1, 4);
    g.stride_h = d.integer("stride", 1, 3);
    g.stride_w = d.chance("same stride", 70) ? g.stride_h : d.integer("stride", 1, 3);
    const int most_h = pooling ? g.kernel_h / 2 : 3, most_w = pooling ? g.kernel_w / 2 : 3;
    auto side = [&](int most) {  // as large as allowed, often
        return std::min(d.chance("largest padding", 25) && !d.pinned("padding") ? most : d.integer("padding", 0, most), most);
    };
    g.pad.top = side(most_h), g.pad.bottom = side(most_h), g.pad.left = side(most_w), g.pad.right = side(most_w);
    if (dilated) {
        g.dilation_h = d.integer("dilation", 1, 2);
        g.dilation_w = d.chance("same dilation", 70) ? g.dilation_h : d.integer("dilation", 1, 2);
    }
    if (ceil) g.ceil_mode = d.flag("ceil_mode");
    // the input size last: at least one window, and often one that leaves a remainder after the stride
    const int extra_h = d.integer("h", 0, 4), extra_w = d.integer("w", 0, 4);
    auto extents = [&] {
        const int eh = g.dilation_h * (g.kernel_h - 1) + 1, ew = g.dilation_w * (g.kernel_w - 1) + 1;
        h = arma::uword(std::max(1, eh - g.pad.top - g.pad.bottom) + extra_h);
        w = arma::uword(std::max(1, ew - g.pad.left - g.pad.right) + extra_w);
    };
    extents();
    if (pooling && dilated) try {
        pool_output_size("draw_window", g, h, w);
    } catch (const Error&) {  // a dilated window wholly in the padding (G4): dilation 1 never is
        g.dilation_h = g.dilation_w = 1;
        extents();
    }
    const int eh = g.dilation_h * (g.kernel_h - 1) + 1;
    // ceil_mode's rule that drops a last window starting in the padding needs a particular input size: look for one
    if (g.ceil_mode && d.chance("dropped ceil window", 50) && !d.pinned("h"))
        for (int hh = 1; hh <= 9; ++hh) {
            const long long padded = hh + g.pad.top + g.pad.bottom;
            const long long kept = output_size_1d(hh, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom, g.dilation_h, true);
            if (padded >= eh && (padded - eh + g.stride_h - 1) / g.stride_h + 1 > kept) {
                h = arma::uword(hh);
                break;
            }
        }
    return g;
}

Array draw_array(Draw& d, const std::string& name, std::vector<arma::uword> shape, ValueRule rule) {
    Array a{std::move(shape), {}};
    a.data = d.values(name, a.size(), rule);
    return a;
}

}  // namespace cnnbp::ops
