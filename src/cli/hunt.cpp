#include "hunt.hpp"

#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/geometry.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"
#include "suite.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <random>
#include <set>
#include <unistd.h>

namespace cnnbp::cli {

using json = nlohmann::ordered_json;


namespace {

const std::set<std::string> image_ops = {"conv2d", "pad2d", "maxpool2d", "avgpool2d", "flatten"};
const std::set<std::string> elementwise_ops = {"relu", "sigmoid", "tanh"};
const std::set<std::string> hunt_ops = {"conv2d", "pad2d", "maxpool2d", "avgpool2d", "flatten", "linear",
                                        "relu", "sigmoid", "tanh", "mse", "softmax_cross_entropy"};

// A case as hunt draws and shrinks it: the shapes and parameters, and pools of values that every tensor takes its
// first elements from (so a smaller case keeps the values it had).
struct Spec {
    std::string op;
    int n = 1, c = 1, h = 1, w = 1, f = 1, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, groups = 1;
    Padding pad;
    bool bias = false, ceil = false, count_include_pad = true;
    int m = 1, d = 1;  // linear: x (n, d), w (m, d); the losses: (n, m)
    std::vector<double> xs, ws, bs, douts, ys;
    std::vector<int> labels;
};

Array take(const std::vector<double>& pool, std::vector<arma::uword> shape) {
    Array a{std::move(shape), {}};
    for (arma::uword k = 0; k < a.size(); ++k) a.data.push_back(pool[k % pool.size()]);
    return a;
}

json padding_json(const Padding& p) { return {{"top", p.top}, {"bottom", p.bottom}, {"left", p.left}, {"right", p.right}}; }

// The case file of a spec; throws cnnbp::Error if the spec is not a valid case.
json to_case(const Spec& s) {
    json doc = {{"format", "cnnbp-case/1"}, {"name", "hunt"}, {"op", s.op}};
    const auto N = arma::uword(s.n), C = arma::uword(s.c), H = arma::uword(s.h), W = arma::uword(s.w);
    std::vector<arma::uword> out;
    if (s.op == "conv2d") {
        doc["params"] = {{"stride", {s.sh, s.sw}}, {"padding", padding_json(s.pad)}, {"dilation", {s.dh, s.dw}}, {"groups", s.groups}};
        doc["inputs"] = {{"x", array_to_json(take(s.xs, {N, C, H, W}))},
                         {"w", array_to_json(take(s.ws, {arma::uword(s.f), C / std::max(1, s.groups), arma::uword(s.kh), arma::uword(s.kw)}))}};
        if (s.bias) doc["inputs"]["b"] = array_to_json(take(s.bs, {arma::uword(s.f)}));
        if (s.groups < 1 || s.c % s.groups || s.f % s.groups) fail("groups");
        const Conv2dParams p{s.sh, s.sw, s.pad, s.dh, s.dw, s.groups};
        const Shape4 o = conv2d_shape("hunt", {N, C, H, W}, {arma::uword(s.f), C / s.groups, arma::uword(s.kh), arma::uword(s.kw)}, std::nullopt, p).out_shape;
        out = {o.n, o.c, o.h, o.w};
    } else if (s.op == "pad2d") {
        doc["params"] = {{"padding", padding_json(s.pad)}};
        doc["inputs"] = {{"x", array_to_json(take(s.xs, {N, C, H, W}))}};
        out = {N, C, H + s.pad.top + s.pad.bottom, W + s.pad.left + s.pad.right};
    } else if (s.op == "maxpool2d" || s.op == "avgpool2d") {
        Window2d g{s.kh, s.kw, s.sh, s.sw, s.pad, s.op == "maxpool2d" ? s.dh : 1, s.op == "maxpool2d" ? s.dw : 1};
        g.ceil_mode = s.ceil;
        doc["params"] = {{"kernel", {s.kh, s.kw}}, {"stride", {s.sh, s.sw}}, {"padding", padding_json(s.pad)}};
        if (s.op == "maxpool2d") doc["params"]["dilation"] = {s.dh, s.dw};
        doc["params"]["ceil_mode"] = s.ceil;
        if (s.op == "avgpool2d") doc["params"]["count_include_pad"] = s.count_include_pad;
        doc["inputs"] = {{"x", array_to_json(take(s.xs, {N, C, H, W}))}};
        const OutputSize o = pool_output_size("hunt", g, H, W);
        out = {N, C, o.h, o.w};
    } else if (s.op == "flatten") {
        doc["inputs"] = {{"x", array_to_json(take(s.xs, {N, C, H, W}))}};
        out = {N, C * H * W};
    } else if (s.op == "linear") {
        doc["inputs"] = {{"x", array_to_json(take(s.xs, {N, arma::uword(s.d)}))}, {"w", array_to_json(take(s.ws, {arma::uword(s.m), arma::uword(s.d)}))}};
        if (s.bias) doc["inputs"]["b"] = array_to_json(take(s.bs, {arma::uword(s.m)}));
        out = {N, arma::uword(s.m)};
    } else if (elementwise_ops.count(s.op)) {
        doc["inputs"] = {{"x", array_to_json(take(s.xs, {N, C, H, W}))}};
        out = {N, C, H, W};
    } else if (s.op == "mse") {
        doc["inputs"] = {{"a", array_to_json(take(s.xs, {N, arma::uword(s.m)}))}, {"y", array_to_json(take(s.ys, {N, arma::uword(s.m)}))}};
    } else {  // softmax_cross_entropy
        json labels = json::array();
        for (int k = 0; k < s.n; ++k) labels.push_back(s.labels[std::size_t(k) % s.labels.size()] % s.m);
        doc["inputs"] = {{"z", array_to_json(take(s.xs, {N, arma::uword(s.m)}))}, {"labels", labels}};
    }
    if (!out.empty()) doc["dout"] = array_to_json(take(s.douts, out));
    return doc;
}

// Draws integers, honouring --param pins and bounds.
struct Draw {
    std::mt19937_64& rng;
    const std::map<std::string, std::pair<int, int>>& pins;
    int operator()(const std::string& name, int lo, int hi) {
        if (const auto it = pins.find(name); it != pins.end()) lo = it->second.first, hi = it->second.second;
        return std::uniform_int_distribution<int>(lo, std::max(lo, hi))(rng);
    }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
};

// Values k/16 in [-2, 2] without 0 (with --ties: from {-1, 0, 1}, so that windows tie and relu sits on its kink);
// for max pooling, all different (a shuffle), so that no window ties unless asked.
std::vector<double> pool_values(std::mt19937_64& rng, std::size_t count, bool ties, bool distinct) {
    std::vector<double> v;
    if (ties) {
        for (std::size_t k = 0; k < count; ++k) v.push_back(double(int(rng() % 3) - 1));
    } else if (distinct) {
        for (std::size_t k = 0; k < count; ++k) v.push_back((double(k) - double(count) / 2) / 16.0);
        std::shuffle(v.begin(), v.end(), rng);
    } else {
        for (std::size_t k = 0; k < count; ++k) {
            const int q = int(rng() % 64) - 32;
            v.push_back((q >= 0 ? q + 1 : q) / 16.0);
        }
    }
    return v;
}

// The places where implementations break, counted for --coverage.
std::vector<std::string> conditions(const Spec& s) {
    std::vector<std::string> found;
    if (!image_ops.count(s.op) || s.op == "flatten") return found;
    const int eh = s.dh * (s.kh - 1) + 1, ew = s.dw * (s.kw - 1) + 1;
    if (s.op != "pad2d") {
        if ((s.h + s.pad.top + s.pad.bottom - eh) % s.sh || (s.w + s.pad.left + s.pad.right - ew) % s.sw) found.push_back("input size leaves a remainder after the stride");
        if (s.sh < s.kh || s.sw < s.kw) found.push_back("overlapping windows");
        if (s.sh > s.kh || s.sw > s.kw) found.push_back("stride larger than the kernel");
        if (s.kh == 1 && s.kw == 1) found.push_back("1x1 kernel");
        if (eh == s.h + s.pad.top + s.pad.bottom || ew == s.w + s.pad.left + s.pad.right) found.push_back("kernel as large as the padded input");
        if (s.dh > 1 || s.dw > 1) found.push_back("dilation > 1");
    }
    if (s.pad.top != s.pad.bottom || s.pad.left != s.pad.right) found.push_back("different padding at the two ends");
    if (s.op != "conv2d" && s.op != "pad2d" && (s.pad.top == s.kh / 2 && s.kh > 1)) found.push_back("padding as large as allowed");
    if (s.op == "conv2d" && s.groups > 1) found.push_back(s.groups == s.c && s.groups == s.f ? "depthwise groups" : "groups > 1");
    if (s.ceil) {
        const long long full = output_size_1d(s.h, s.kh, s.sh, s.pad.top, s.pad.bottom, s.op == "maxpool2d" ? s.dh : 1, false);
        const long long ceil = output_size_1d(s.h, s.kh, s.sh, s.pad.top, s.pad.bottom, s.op == "maxpool2d" ? s.dh : 1, true);
        const long long unbounded = (s.h + s.pad.top + s.pad.bottom - eh + s.sh - 1) / s.sh + 1;
        if (ceil > full) found.push_back("ceil_mode window that overhangs the padded input");
        if (unbounded > ceil) found.push_back("ceil_mode window that would start in the padding (dropped)");
    }
    if (s.n > 1) found.push_back("batch of several");
    return found;
}

Spec random_spec(const std::string& op, std::mt19937_64& rng, const HuntOptions& o) {
    Draw draw{rng, o.params};
    Spec s;
    s.op = op;
    s.n = draw("n", 1, 3);
    if (op == "linear" || op == "mse" || op == "softmax_cross_entropy") {
        s.d = draw("d", 1, 6), s.m = draw("m", op == "softmax_cross_entropy" ? 2 : 1, 5);
        s.bias = draw("bias", 0, 1) == 1;
    } else if (elementwise_ops.count(op) || op == "flatten") {
        s.c = draw("c", 1, 3), s.h = draw("h", 1, 5), s.w = draw("w", 1, 5);
    } else {
        s.groups = op == "conv2d" ? draw("groups", 1, 3) : 1;
        s.c = s.groups * draw("c", 1, 2), s.f = s.groups * draw("f", 1, 2);
        if (op == "conv2d" && draw.chance(0.15) && !o.params.count("groups")) s.groups = s.c = s.f = draw("c", 1, 4);  // depthwise
        s.kh = draw("kernel", 1, 4), s.kw = draw.chance(0.7) ? s.kh : draw("kernel", 1, 4);
        s.sh = draw("stride", 1, 3), s.sw = draw.chance(0.7) ? s.sh : draw("stride", 1, 3);
        const bool pool = op == "maxpool2d" || op == "avgpool2d";
        const int most_h = pool ? s.kh / 2 : 3, most_w = pool ? s.kw / 2 : 3;
        auto side = [&](int most) { return draw.chance(0.25) ? most : draw("padding", 0, most); };  // as large as allowed, often
        s.pad = {std::min(side(most_h), most_h), std::min(side(most_h), most_h), std::min(side(most_w), most_w), std::min(side(most_w), most_w)};
        if (op == "pad2d") s.pad = {draw("padding", 0, 3), draw("padding", 0, 3), draw("padding", 0, 3), draw("padding", 0, 3)};
        if (op == "conv2d" || op == "maxpool2d") s.dh = draw("dilation", 1, 2), s.dw = draw.chance(0.7) ? s.dh : draw("dilation", 1, 2);
        if (pool) s.ceil = draw("ceil_mode", 0, 1) == 1;
        if (op == "avgpool2d") s.count_include_pad = draw("count_include_pad", 0, 1) == 1;
        s.bias = draw("bias", 0, 1) == 1;
        // the input size last: at least one window, and often one that leaves a remainder after the stride
        const int eh = s.dh * (s.kh - 1) + 1, ew = s.dw * (s.kw - 1) + 1;
        s.h = std::max(1, eh - s.pad.top - s.pad.bottom) + draw("h", 0, 4);
        s.w = std::max(1, ew - s.pad.left - s.pad.right) + draw("w", 0, 4);
        if (op == "pad2d") s.h = draw("h", 1, 5), s.w = draw("w", 1, 5);
        // ceil_mode's rule that drops a last window starting in the padding needs a particular input size: look for one
        if (s.ceil && draw.chance(0.5) && !o.params.count("h"))
            for (int h = 1; h <= 9; ++h) {
                const long long padded = h + s.pad.top + s.pad.bottom, kept = output_size_1d(h, s.kh, s.sh, s.pad.top, s.pad.bottom, s.dh, true);
                if (padded >= eh && (padded - eh + s.sh - 1) / s.sh + 1 > kept) {
                    s.h = h;
                    break;
                }
            }
    }
    const std::size_t size = 4 * 6 * 9 * 9;
    s.xs = pool_values(rng, size, o.ties && (op == "maxpool2d" || op == "relu"), op == "maxpool2d");
    s.ws = pool_values(rng, size, false, false), s.bs = pool_values(rng, 64, false, false);
    s.douts = pool_values(rng, size, false, false), s.ys = pool_values(rng, size, false, false);
    for (int k = 0; k < 8; ++k) s.labels.push_back(int(rng() % 5));
    if (op == "softmax_cross_entropy" && draw.chance(0.2))
        for (double& v : s.xs) v *= 256;  // large logits
    return s;
}

// Simpler versions of a failing case, simplest first: fewer samples, channels and filters, a smaller input and kernel,
// simpler parameters, simpler values.
std::vector<Spec> shrink(const Spec& s) {
    std::vector<Spec> out;
    auto with = [&](auto&& change) {
        Spec t = s;
        change(t);
        out.push_back(std::move(t));
    };
    if (s.n > 1) with([](Spec& t) { t.n = 1; }), with([](Spec& t) { t.n -= 1; });
    if (s.groups > 1) with([](Spec& t) { const int cg = t.c / t.groups, fg = t.f / t.groups; t.groups -= 1, t.c -= cg, t.f -= fg; });
    if (s.c > 1 && s.groups == 1) with([](Spec& t) { t.c = 1; }), with([](Spec& t) { t.c -= 1; });
    if (s.f > 1 && s.groups == 1) with([](Spec& t) { t.f = 1; }), with([](Spec& t) { t.f -= 1; });
    if (s.h > 1) with([](Spec& t) { t.h -= 1; });
    if (s.w > 1) with([](Spec& t) { t.w -= 1; });
    if (s.kh > 1) with([](Spec& t) { t.kh -= 1; });
    if (s.kw > 1) with([](Spec& t) { t.kw -= 1; });
    if (s.m > 1) with([](Spec& t) { t.m -= 1; });
    if (s.d > 1) with([](Spec& t) { t.d -= 1; });
    if (s.sh > 1) with([](Spec& t) { t.sh = 1; });
    if (s.sw > 1) with([](Spec& t) { t.sw = 1; });
    if (s.dh > 1) with([](Spec& t) { t.dh = 1; });
    if (s.dw > 1) with([](Spec& t) { t.dw = 1; });
    if (s.pad.top) with([](Spec& t) { t.pad.top -= 1; });
    if (s.pad.bottom) with([](Spec& t) { t.pad.bottom -= 1; });
    if (s.pad.left) with([](Spec& t) { t.pad.left -= 1; });
    if (s.pad.right) with([](Spec& t) { t.pad.right -= 1; });
    if (s.ceil) with([](Spec& t) { t.ceil = false; });
    if (!s.count_include_pad) with([](Spec& t) { t.count_include_pad = true; });
    if (s.bias) with([](Spec& t) { t.bias = false; });
    // simpler values: every tensor's pool rounded to the nearest integer (keeping 0 out where it was)
    auto rounded = [](std::vector<double> v) {
        for (double& x : v) x = x == 0 ? 0 : (std::round(x) == 0 ? (x > 0 ? 1 : -1) : std::round(x));
        return v;
    };
    if (rounded(s.xs) != s.xs && s.op != "maxpool2d") with([&](Spec& t) { t.xs = rounded(t.xs); });
    if (rounded(s.ws) != s.ws) with([&](Spec& t) { t.ws = rounded(t.ws); });
    if (rounded(s.douts) != s.douts) with([&](Spec& t) { t.douts = rounded(t.douts); });
    return out;
}

std::string describe(const Spec& s) {
    std::ostringstream os;
    os << s.op << " with N = " << s.n;
    if (image_ops.count(s.op) || elementwise_ops.count(s.op)) os << ", C = " << s.c << ", H x W = " << s.h << " x " << s.w;
    if (s.op == "conv2d") os << ", F = " << s.f << ", groups = " << s.groups;
    if (s.op == "conv2d" || s.op == "maxpool2d" || s.op == "avgpool2d")
        os << ", kernel " << s.kh << "x" << s.kw << ", stride (" << s.sh << "," << s.sw << "), padding " << s.pad;
    if (s.op == "conv2d" || s.op == "maxpool2d") os << ", dilation (" << s.dh << "," << s.dw << ")";
    if (s.op == "linear") os << ", D = " << s.d << ", M = " << s.m;
    return os.str();
}

}  // namespace

void add_hunt_param(HuntOptions& o, const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail("--param must be NAME=VALUE or NAME=LO..HI, got ", text);
    const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
    static const std::set<std::string> names = {"n", "c", "f", "h", "w", "d", "m", "kernel", "stride", "padding", "dilation",
                                                "groups", "ceil_mode", "count_include_pad", "bias"};
    if (!names.count(name)) fail("--param ", name, " is not a parameter hunt draws (n, c, f, h, w, d, m, kernel, stride, padding, dilation, groups, ceil_mode, count_include_pad, bias)");
    auto number = [&](const std::string& t) {
        if (t == "true") return 1;
        if (t == "false") return 0;
        try {
            std::size_t used = 0;
            const int v = std::stoi(t, &used);
            if (used != t.size()) throw std::invalid_argument(t);
            return v;
        } catch (const std::exception&) {
            fail("--param ", name, ": ", t, " is not an integer");
        }
    };
    const auto dots = value.find("..");
    const int lo = number(dots == std::string::npos ? value : value.substr(0, dots));
    const int hi = dots == std::string::npos ? lo : number(value.substr(dots + 2));
    if (hi < lo) fail("--param ", name, ": ", lo, "..", hi, " is an empty range");
    o.params[name] = {lo, hi};
}

int run_hunt(const HuntOptions& o) {
    if (!hunt_ops.count(o.op)) fail("--op ", o.op, " is not an op hunt generates (conv2d, pad2d, maxpool2d, avgpool2d, flatten, linear, relu, sigmoid, tanh, mse, softmax_cross_entropy)");
    const Precision p = precision(o.dtype);
    std::mt19937_64 rng(o.seed);
    Implementation impl(o.impl, o.timeout);
    const bool progress = isatty(STDERR_FILENO);
    std::map<std::string, int> coverage;
    int unsupported = 0, not_judged = 0, invalid = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 1; i <= o.cases; ++i) {
        const Spec spec = random_spec(o.op, rng, o);
        json doc;
        try {
            doc = to_case(spec);
            evaluate_case(doc, "hunt");
        } catch (const Error&) {
            ++invalid;  // a rare draw that breaks a pooling rule; hunt draws another
            continue;
        }
        for (const std::string& c : conditions(spec)) coverage[c]++;
        if (progress && i % 25 == 0) std::cerr << "\rhunt " << o.op << ": " << i << "/" << o.cases << ' ' << std::flush;
        const Outcome outcome = judge_case(impl, doc, "hunt case", p);
        if (outcome.kind == Outcome::unsupported) ++unsupported;
        if (outcome.kind == Outcome::not_judged) ++not_judged;
        if (outcome.kind != Outcome::failed) continue;
        // shrink: take the first simpler spec that still fails, until none does
        Spec smallest = spec;
        Outcome last = outcome;
        int steps = 0;
        for (bool improved = true; improved;) {
            improved = false;
            for (const Spec& candidate : shrink(smallest)) {
                json c;
                try {
                    c = to_case(candidate);
                    evaluate_case(c, "hunt");
                } catch (const Error&) {
                    continue;
                }
                const Outcome r = judge_case(impl, c, "shrunk case", p);
                if (r.kind == Outcome::failed) {
                    smallest = candidate, last = r, improved = true, ++steps;
                    break;
                }
            }
        }
        if (progress) std::cerr << '\n';
        const json minimal = to_case(smallest);
        json saved = minimal;
        saved["expected"] = expected_json(evaluate_case(minimal, "hunt"));
        std::ofstream(o.save) << format_json(saved);
        std::cout << "hunt " << o.op << ": wrong answer on case " << i << " of " << o.cases << " (seed " << o.seed << ")\n"
                  << "shrunk in " << steps << " steps to " << describe(smallest) << '\n'
                  << "  " << last.detail << '\n'
                  << "the minimal case, with what cnnbp expects, is saved in " << o.save << ":\n"
                  << format_json(saved);
        return 1;
    }
    if (progress) std::cerr << '\n';
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "hunt " << o.op << ": no wrong answer in " << o.cases - invalid << " cases (seed " << o.seed << ", "
              << std::setprecision(3) << (o.cases - invalid) / std::max(seconds, 1e-9) << " cases/s)";
    if (unsupported) std::cout << ", " << unsupported << " unsupported";
    if (not_judged) std::cout << ", " << not_judged << " not judged";
    std::cout << '\n';
    if (o.coverage) {
        std::cout << "coverage (cases that had each condition):\n";
        for (const auto& [condition, count] : coverage) std::cout << "  " << std::setw(6) << count << "  " << condition << '\n';
    }
    return 0;
}

}  // namespace cnnbp::cli
