// The tight bound (E9) at the sizes implementations are tested at: correct float32 answers, summed in different orders,
// pass; small realistic mistakes, which the certain bound (E3) lets through, fail. And the bound's own false-alarm
// rate, measured on sums in many orders and trees. Derivation: \ref tol_tight.
#include "cnnbp/core/float_format.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "cnnbp/oracle/tight_bound.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace cnnbp;
using json = nlohmann::ordered_json;

namespace {

// ---- sums in many orders ------------------------------------------------------------------------------------------

using Terms = std::vector<float>;  // the products t_i, already rounded to float32 as a float32 kernel forms them

float recursive(const Terms& t) {
    float s = 0;
    for (float v : t) s += v;
    return s;
}

float pairwise(const Terms& t, std::size_t lo, std::size_t hi) {
    if (hi - lo <= 8) {
        float s = 0;
        for (std::size_t i = lo; i < hi; ++i) s += t[i];
        return s;
    }
    const std::size_t mid = lo + (hi - lo) / 2;
    return pairwise(t, lo, mid) + pairwise(t, mid, hi);
}

float blocked(const Terms& t, std::size_t block) {  // split-K: blocks summed apart, then their sums
    float total = 0;
    for (std::size_t b = 0; b < t.size(); b += block) {
        float s = 0;
        for (std::size_t i = b; i < std::min(t.size(), b + block); ++i) s += t[i];
        total += s;
    }
    return total;
}

float lanes(const Terms& t, std::size_t k) {  // k accumulators, as SIMD lanes are
    std::vector<float> acc(k, 0.0f);
    for (std::size_t i = 0; i < t.size(); ++i) acc[i % k] += t[i];
    return recursive(acc);
}

float fused(const std::vector<float>& a, const std::vector<float>& b) {  // FMA: the products are not rounded
    float s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s = std::fma(a[i], b[i], s);
    return s;
}

// The sum's statistics, as the oracle computes them (in double, from the factors).
template <class T>
SumTerms stats(const std::vector<T>& a, const std::vector<T>& b) {
    SumTerms s{double(a.size()), 0, 0, 0, 0};
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double t = double(a[i]) * double(b[i]);
        s.value += t, s.magnitude += std::abs(t), s.squares += t * t;
        ma = std::max(ma, std::abs(double(a[i]))), mb = std::max(mb, std::abs(double(b[i])));
    }
    s.largest = ma * mb;
    return s;
}

// A deliberately wrong bound, kept to show that the measurement below can see a bound that is too tight: it forgets
// that partial sums wander, and bounds every node of k terms by k |mu| alone.
double bound_without_the_walk(const SumTerms& t, double u) {
    const double n = t.n, mu = std::abs(t.value) / n;
    const double q = mu * mu * (n * (n + 1) * (2 * n + 1) / 6 - 1);
    return std::sqrt(2 * tail_exponent) * u * std::sqrt(q + t.squares) + 2 * u * std::abs(t.value);
}

struct Tally {
    long sums = 0, over_tight = 0, over_wrong = 0;
    double worst = 0;  // the largest error / bound seen
};

// Sums a . b in nine orders and trees, each at float32, and counts the errors beyond (E9) and beyond the wrong bound.
void judge_orders(const std::vector<float>& a, const std::vector<float>& b, bool data_model, std::mt19937_64& rng, Tally& tally) {
    const double u = std::ldexp(1.0, -24);
    const SumTerms s = stats(a, b);
    const double bound = tight_bound(s, data_model, u, u, std::ldexp(1.0, -53), false);
    Terms t(a.size());
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = a[i] * b[i];
    Terms reversed(t.rbegin(), t.rend()), shuffled = t;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const float results[] = {recursive(t), recursive(reversed), recursive(shuffled), pairwise(t, 0, t.size()),
                             blocked(t, 64), blocked(t, 1000), lanes(t, 8), lanes(shuffled, 16), fused(a, b)};
    for (float r : results) {
        const double error = std::abs(double(r) - s.value);
        ++tally.sums;
        if (error > bound) ++tally.over_tight;
        if (error > bound_without_the_walk(s, u)) ++tally.over_wrong;
        tally.worst = std::max(tally.worst, error / bound);
    }
}

// ---- a realistic conv2d in float32, three ways --------------------------------------------------------------------

// N = 8 images of 8 channels, 56 x 56, 8 filters 3 x 3, padding 1: dw and db sum 8 x 56 x 56 = 25,088 terms.
constexpr int N = 8, C = 8, H = 56, W = 56, F = 8, K = 3;

struct Conv {
    std::vector<float> x, w, b, dout;  // row-major, as the case file holds them
};

struct Answer {
    std::vector<float> out, dx, dw, db;
};

std::size_t xi(int n, int c, int h, int w) { return ((std::size_t(n) * C + c) * H + h) * W + w; }
std::size_t oi(int n, int f, int h, int w) { return ((std::size_t(n) * F + f) * H + h) * W + w; }
std::size_t wi(int f, int c, int u, int v) { return ((std::size_t(f) * C + c) * K + u) * K + v; }

// Tap by tap: each output, dx and dw element accumulated in float32, in loop order (dw's 25,088 terms recursively).
Answer tap_by_tap(const Conv& k, const FloatFormat* sums_in = nullptr) {
    // with sums_in, every running sum is rounded to that format after each addition
    auto add = [&](float s, float t) { return sums_in ? float(round_to(double(s) + double(t), *sums_in)) : s + t; };
    Answer a{std::vector<float>(std::size_t(N) * F * H * W), std::vector<float>(k.x.size()), std::vector<float>(k.w.size()),
             std::vector<float>(F)};
    for (int n = 0; n < N; ++n)
        for (int f = 0; f < F; ++f)
            for (int i = 0; i < H; ++i)
                for (int j = 0; j < W; ++j) {
                    float s = k.b[f];
                    for (int c = 0; c < C; ++c)
                        for (int u = 0; u < K; ++u)
                            for (int v = 0; v < K; ++v) {
                                const int h = i + u - 1, w = j + v - 1;
                                if (h >= 0 && h < H && w >= 0 && w < W) s = add(s, k.w[wi(f, c, u, v)] * k.x[xi(n, c, h, w)]);
                            }
                    a.out[oi(n, f, i, j)] = s;
                }
    for (int n = 0; n < N; ++n)
        for (int c = 0; c < C; ++c)
            for (int h = 0; h < H; ++h)
                for (int w = 0; w < W; ++w) {
                    float s = 0;
                    for (int f = 0; f < F; ++f)
                        for (int u = 0; u < K; ++u)
                            for (int v = 0; v < K; ++v) {
                                const int i = h - u + 1, j = w - v + 1;
                                if (i >= 0 && i < H && j >= 0 && j < W) s = add(s, k.w[wi(f, c, u, v)] * k.dout[oi(n, f, i, j)]);
                            }
                    a.dx[xi(n, c, h, w)] = s;
                }
    for (int f = 0; f < F; ++f) {
        float s = 0;
        for (int n = 0; n < N; ++n)
            for (int i = 0; i < H; ++i)
                for (int j = 0; j < W; ++j) s = add(s, k.dout[oi(n, f, i, j)]);
        a.db[f] = s;
        for (int c = 0; c < C; ++c)
            for (int u = 0; u < K; ++u)
                for (int v = 0; v < K; ++v) {
                    float t = 0;
                    for (int n = 0; n < N; ++n)
                        for (int i = 0; i < H; ++i)
                            for (int j = 0; j < W; ++j) {
                                const int h = i + u - 1, w = j + v - 1;
                                if (h >= 0 && h < H && w >= 0 && w < W) t = add(t, k.dout[oi(n, f, i, j)] * k.x[xi(n, c, h, w)]);
                            }
                    a.dw[wi(f, c, u, v)] = t;
                }
    }
    return a;
}

// im2col and float32 matrix products (OpenBLAS's sgemm, blocked and vectorised), one sample at a time.
Answer im2col_sgemm(const Conv& k) {
    Answer a{std::vector<float>(std::size_t(N) * F * H * W), std::vector<float>(k.x.size()), std::vector<float>(k.w.size()),
             std::vector<float>(F, 0.0f)};
    const int taps = C * K * K, positions = H * W;
    arma::fmat wm(taps, F);  // column f holds filter f's taps
    for (int f = 0; f < F; ++f)
        for (int t = 0; t < taps; ++t) wm(t, f) = k.w[std::size_t(f) * taps + t];
    arma::fmat dwm(taps, F, arma::fill::zeros);
    for (int n = 0; n < N; ++n) {
        arma::fmat cols(positions, taps, arma::fill::zeros);  // row: an output position; column: a tap
        for (int c = 0; c < C; ++c)
            for (int u = 0; u < K; ++u)
                for (int v = 0; v < K; ++v)
                    for (int i = 0; i < H; ++i)
                        for (int j = 0; j < W; ++j) {
                            const int h = i + u - 1, w = j + v - 1;
                            if (h >= 0 && h < H && w >= 0 && w < W) cols(i * W + j, (c * K + u) * K + v) = k.x[xi(n, c, h, w)];
                        }
        const arma::fmat out = cols * wm;  // positions x F
        arma::fmat d(positions, F);
        for (int f = 0; f < F; ++f)
            for (int p = 0; p < positions; ++p) {
                a.out[oi(n, f, p / W, p % W)] = out(p, f) + k.b[f];
                d(p, f) = k.dout[oi(n, f, p / W, p % W)];
            }
        dwm += cols.t() * d;
        const arma::fmat dcols = d * wm.t();  // positions x taps, folded back onto x
        for (int c = 0; c < C; ++c)
            for (int u = 0; u < K; ++u)
                for (int v = 0; v < K; ++v)
                    for (int i = 0; i < H; ++i)
                        for (int j = 0; j < W; ++j) {
                            const int h = i + u - 1, w = j + v - 1;
                            if (h >= 0 && h < H && w >= 0 && w < W) a.dx[xi(n, c, h, w)] += dcols(i * W + j, (c * K + u) * K + v);
                        }
        for (int f = 0; f < F; ++f) a.db[f] += arma::accu(d.col(f));
    }
    for (int f = 0; f < F; ++f)
        for (int t = 0; t < taps; ++t) a.dw[std::size_t(f) * taps + t] = dwm(t, f);
    return a;
}

Array array(const std::vector<float>& v, std::vector<arma::uword> shape) {
    return {std::move(shape), std::vector<double>(v.begin(), v.end())};
}

json case_json(const Conv& k) {
    return {{"format", "cnnbp-case/1"}, {"op", "conv2d"}, {"params", {{"padding", 1}}},
            {"inputs", {{"x", array_to_json(array(k.x, {N, C, H, W}))}, {"w", array_to_json(array(k.w, {F, C, K, K}))},
                        {"b", array_to_json(array(k.b, {F}))}}},
            {"dout", array_to_json(array(k.dout, {N, F, H, W}))}};
}

json result_json(const Answer& a) {
    json r;
    if (!a.out.empty()) r["out"] = array_to_json(array(a.out, {N, F, H, W}));
    if (!a.dx.empty()) r["dx"] = array_to_json(array(a.dx, {N, C, H, W}));
    if (!a.dw.empty()) r["dw"] = array_to_json(array(a.dw, {F, C, K, K}));
    if (!a.db.empty()) r["db"] = array_to_json(array(a.db, {F}));
    return r;
}

// PyTorch's conv2d and autograd in `dtype`, through examples/torch_layers.py.
Answer pytorch(const Conv& k, const std::string& dtype = "float32") {
    const std::string in = "tight_bound_torch.in.jsonl", out = "tight_bound_torch.out.jsonl";
    std::ofstream(in) << canonical_case(case_json(k)).dump() << '\n';  // every parameter in full, as suite sends it
    const std::string cmd = "/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/torch_layers.py --dtype " + dtype + " < " + in + " > " + out;
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream answer(out);
    std::string line;
    REQUIRE(std::getline(answer, line));
    const json r = json::parse(line);
    auto floats = [&](const char* key) {
        const Array v = array_from_json(r.at(key), key, false);
        return std::vector<float>(v.data.begin(), v.data.end());
    };
    return {floats("out"), floats("dx"), floats("dw"), floats("db")};
}

// float16's 11 significant bits, round to nearest (ties to even)
float to_float16(float v) { return float(round_to(v, float_format("float16"))); }

Conv draw_conv(const std::string& kind, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    auto fill = [&](std::size_t count) {
        std::vector<float> v(count);
        for (float& e : v)
            e = kind == "normal" ? normal(rng) : kind == "integers" ? float(std::array{-2, -1, 1, 2}[rng() % 4]) : unit(rng);
        return v;
    };
    return {fill(std::size_t(N) * C * H * W), fill(std::size_t(F) * C * K * K), fill(F), fill(std::size_t(N) * F * H * W)};
}

std::size_t largest(const std::vector<float>& v) {
    return std::size_t(std::max_element(v.begin(), v.end(), [](float a, float b) { return std::abs(a) < std::abs(b); }) - v.begin());
}

}  // namespace

TEST_CASE("tight bounds: no correct sum in nine orders and trees fails (E9), and a bound that forgets the walk does", "[oracle][tight]") {
    std::mt19937_64 rng(20261202);
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    // how a factor is drawn: the kinds of data a kernel is tested with
    const std::vector<std::pair<std::string, std::function<float()>>> kinds = {
        {"normal", [&] { return normal(rng); }},
        {"uniform [0, 1)", [&] { return unit(rng); }},
        {"uniform [-1, 1)", [&] { return 2 * unit(rng) - 1; }},
        {"sixteenths", [&] { return std::floor(unit(rng) * 64) / 16 - 2; }},
        {"mean 3, sd 1", [&] { return 3 + normal(rng); }},
        {"scales 1e-3 to 1e3", [&] { return normal(rng) * std::pow(10.0f, 6 * unit(rng) - 3); }},
        {"uniform [1, 1.01)", [&] { return 1 + 0.01f * unit(rng); }},
        {"64 values k/10", [&] { return std::floor(unit(rng) * 64 + 1) / 10; }},
    };
    Tally tally;
    for (const auto& [name, draw] : kinds)
        for (const std::size_t n : {std::size_t(9), std::size_t(72), std::size_t(576), std::size_t(4608), std::size_t(25088)}) {
            const int sums = n >= 4608 ? 40 : 600;
            for (int s = 0; s < sums; ++s) {
                std::vector<float> a(n), b(n);
                for (float& v : a) v = draw();
                for (float& v : b) v = s % 2 ? 1.0f : normal(rng);  // dout: random, or ones
                judge_orders(a, b, true, rng, tally);
            }
        }
    INFO(tally.sums << " sums; the largest error was " << tally.worst << " of its bound (E9)");
    CHECK(tally.sums > 100000);
    CHECK(tally.over_tight == 0);
    // the same measurement sees a bound that is too tight
    CHECK(tally.over_wrong > 0);
}

TEST_CASE("tight bounds: no correct half-precision sum in nine orders fails (E11), accumulated in float32 or in float16", "[oracle][tight]") {
    std::mt19937_64 rng(20261203);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    long sums = 0, over = 0, over_wrong = 0;
    double worst = 0;
    for (const std::string dtype : {"float16", "bfloat16"}) {
        const FloatFormat& f = float_format(dtype);
        const double us = f.unit_roundoff(), tiny = 2 * f.smallest_normal();  // the judge adds 2 tiny (E3)
        for (const bool accumulate_half : {false, true})
            for (const std::size_t n : {std::size_t(9), std::size_t(72), std::size_t(576), std::size_t(25088)}) {
                if (accumulate_half && n * us >= 0.5) continue;  // no bound: not judged
                const double ua = accumulate_half ? us : std::ldexp(1.0, -24);
                for (int s = 0; s < (n >= 25088 ? 40 : 900); ++s) {
                    std::vector<double> a(n), b(n);
                    for (std::size_t i = 0; i < n; ++i) {
                        a[i] = round_to(s % 3 == 0 ? unit(rng) : normal(rng), f);
                        b[i] = round_to(s % 2 ? 1.0 : normal(rng), f);
                    }
                    const SumTerms st = stats(a, b);
                    const double bound = tight_bound(st, true, ua, us, std::ldexp(1.0, -53), false, 1) + tiny;
                    // a deliberately wrong bound, kept to show the measurement can see one: it forgets the rounding
                    // of the stored result
                    const double wrong = tight_bound(st, true, ua, us, std::ldexp(1.0, -53), false, 0) + tiny;
                    // the products (exact in float32; rounded to the accumulation type), summed in six orders with
                    // every addition rounded to it, the result stored once
                    auto acc = [&](double x) { return accumulate_half ? round_to(x, f) : double(float(x)); };
                    std::vector<double> t(n);
                    for (std::size_t i = 0; i < n; ++i) t[i] = acc(a[i] * b[i]);
                    std::vector<double> shuffled = t;
                    std::shuffle(shuffled.begin(), shuffled.end(), rng);
                    auto recursive_sum = [&](const std::vector<double>& v) {
                        double r = 0;
                        for (double x : v) r = acc(r + x);
                        return r;
                    };
                    std::function<double(std::size_t, std::size_t)> pair = [&](std::size_t lo, std::size_t hi) {
                        if (hi - lo <= 8) return recursive_sum(std::vector<double>(t.begin() + long(lo), t.begin() + long(hi)));
                        const std::size_t mid = lo + (hi - lo) / 2;
                        return acc(pair(lo, mid) + pair(mid, hi));
                    };
                    auto lanes_of = [&](std::size_t k) {
                        std::vector<double> lane(k, 0.0);
                        for (std::size_t i = 0; i < n; ++i) lane[i % k] = acc(lane[i % k] + t[i]);
                        return recursive_sum(lane);
                    };
                    auto blocks_of = [&](std::size_t block) {
                        std::vector<double> partial;
                        for (std::size_t lo = 0; lo < n; lo += block)
                            partial.push_back(recursive_sum(std::vector<double>(t.begin() + long(lo), t.begin() + long(std::min(n, lo + block)))));
                        return recursive_sum(partial);
                    };
                    const std::vector<double> reversed(t.rbegin(), t.rend());
                    for (const double r : {recursive_sum(t), recursive_sum(reversed), recursive_sum(shuffled), pair(0, n),
                                           lanes_of(8), blocks_of(64)}) {
                        const double error = std::abs(round_to(r, f) - st.value);
                        ++sums;
                        if (error > bound) ++over;
                        if (error > wrong) ++over_wrong;
                        worst = std::max(worst, error / bound);
                    }
                }
            }
    }
    INFO(sums << " sums; the largest error was " << worst << " of its bound (E11)");
    CHECK(sums > 50000);
    CHECK(over == 0);
    CHECK(over_wrong > 0);
}

TEST_CASE("tight bounds: data refused by (E10) is bounded by (E8a), and repeated terms by (E3)", "[oracle][tight]") {
    std::mt19937_64 rng(7);
    // a ramp and a sorted tensor drift (E10): the data model is refused, with the reason
    Array ramp{{4, 64}, {}}, sorted{{4, 64}, {}}, noise{{4, 64}, {}}, ones{{4, 64}, std::vector<double>(256, 1.0)};
    std::normal_distribution<double> normal;
    for (int i = 0; i < 256; ++i) ramp.data.push_back(i / 256.0), noise.data.push_back(normal(rng));
    sorted.data = noise.data;
    std::sort(sorted.data.begin(), sorted.data.end());
    CHECK(check_factor("x", noise).drift.empty());
    CHECK(check_factor("dout", ones).drift.empty());
    CHECK(check_factor("x", ramp).drift.find("x drifts") == 0);
    CHECK(check_factor("x", sorted).drift.find("x drifts") == 0);
    CHECK(check_factor("x", ones).repeats);
    CHECK_FALSE(check_factor("x", noise).repeats);
    // sums of ramps in every order stay within (E8a)'s bound
    Tally tally;
    for (const std::size_t n : {std::size_t(576), std::size_t(25088)})
        for (int s = 0; s < 20; ++s) {
            std::vector<float> a(n), b(n, 1.0f);
            const double start = normal(rng), step = normal(rng) / double(n);
            for (std::size_t i = 0; i < n; ++i) a[i] = float(start + step * double(i));
            judge_orders(a, b, false, rng, tally);
        }
    INFO("the largest error was " << tally.worst << " of its bound (E8a)");
    CHECK(tally.over_tight == 0);
    // why terms that repeat a few values are judged by (E3): summed one after another, their rounding errors repeat
    // and pass (E9); check_factor() sees them
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    const std::vector<std::pair<std::string, std::function<float()>>> repeating = {
        {"0.1", [] { return 0.1f; }}, {"0.1 or 0.3", [&] { return unit(rng) < 0.5f ? 0.1f : 0.3f; }},
        {"0.1 + noise of 1e-6", [&] { return 0.1f + 1e-6f * float(normal(rng)); }}};
    for (const auto& [name, draw] : repeating) {
        std::vector<float> a(4608);
        const std::vector<float> one(4608, 1.0f);
        for (float& v : a) v = draw();
        const Array x{{4608}, std::vector<double>(a.begin(), a.end())}, dout{{4608}, std::vector<double>(4608, 1.0)};
        INFO(name);
        CHECK(check_factor("x", x).repeats);
        CHECK(check_factor("dout", dout).repeats);
        const SumTerms s = stats(a, one);
        CHECK(std::abs(double(recursive(a)) - s.value) > tight_bound(s, true, std::ldexp(1.0, -24), std::ldexp(1.0, -24), std::ldexp(1.0, -53), false));
    }
}

TEST_CASE("tight bounds: three correct float32 implementations of a realistic conv2d pass, and four small mistakes fail", "[oracle][tight]") {
    for (const std::string kind : {"normal", "uniform [0, 1)"}) {
        const Conv k = draw_conv(kind, kind == "normal" ? 1 : 2);
        const Evaluation e = evaluate_case(case_json(k), "realistic");
        const Precision float32 = precision("float32"), certain = precision("float32", "certain");
        const Answer tap = tap_by_tap(k), gemm = im2col_sgemm(k), torch = pytorch(k);
        for (const auto& [name, answer] : {std::pair<const char*, const Answer*>{"tap by tap", &tap}, {"im2col + sgemm", &gemm},
                                           {"PyTorch", &torch}}) {
            const Verdict v = check_result(e, result_json(*answer), name, float32, TiePolicy::any);
            INFO(kind << " data, " << name);
            for (const TensorVerdict& t : v.tensors) INFO(t.key << ": " << t.ratio << " of its bound " << t.bound);
            CHECK(v.pass());
            for (const TensorVerdict& t : v.tensors) CHECK(t.tight);  // judged by (E9), not (E3)
        }
        // one dw element off by 1e-3 of max |dw|
        Answer off = gemm;
        off.dw[largest(off.dw)] += 1e-3f * std::abs(off.dw[largest(off.dw)]);
        // one output row missed in one sample: sample 3's row 10 never reaches dw and db
        Conv short_row = k;
        for (int f = 0; f < F; ++f)
            for (int j = 0; j < W; ++j) short_row.dout[oi(3, f, 10, j)] = 0;
        Answer missed = im2col_sgemm(short_row);
        missed.out.clear(), missed.dx.clear();
        // x rounded to float16 where float32 was due, in the forward and the backward
        Conv half = k;
        for (float& v : half.x) v = to_float16(v);
        const Answer rounded = im2col_sgemm(half);
        // the largest bias gradient off by 1e-3 of itself
        Answer bias = gemm;
        bias.db[largest(bias.db)] *= 1.001f;
        for (const auto& [name, wrong] : {std::pair<const char*, const Answer*>{"a dw element off by 1e-3 of max |dw|", &off},
                                          {"one output row missed in one sample", &missed},
                                          {"x rounded to float16", &rounded},
                                          {"the largest db off by 1e-3 of itself", &bias}}) {
            INFO(kind << " data: " << name);
            const Verdict v = check_result(e, result_json(*wrong), name, float32, TiePolicy::any);
            CHECK(v.fail());
            // (E3), the certain bound, lets the two 1e-3 mistakes through
            if (std::string(name).find("1e-3") != std::string::npos)
                CHECK_FALSE(check_result(e, result_json(*wrong), name, certain, TiePolicy::any).fail());
        }
    }
}

// ---- the same conv2d in float16 and bfloat16, accumulated in float32 ---------------------------------------------

namespace {

// The case's inputs rounded to `f`: a half-precision case holds half-precision values.
Conv stored(Conv k, const FloatFormat& f) {
    for (std::vector<float>* v : {&k.x, &k.w, &k.b, &k.dout})
        for (float& e : *v) e = float(round_to(e, f));
    return k;
}

// An answer as a half-precision kernel stores it: each result rounded once to `f`.
Answer stored(Answer a, const FloatFormat& f) {
    for (std::vector<float>* v : {&a.out, &a.dx, &a.dw, &a.db})
        for (float& e : *v) e = float(round_to(e, f));
    return a;
}

}  // namespace

TEST_CASE("tight bounds: the realistic conv2d in float16 and bfloat16 with float32 accumulation, correct answers pass and mistakes of 1e-2 fail", "[oracle][tight]") {
    for (const std::string dtype : {"float16", "bfloat16"}) {
        const FloatFormat& f = float_format(dtype);
        const Conv k = stored(draw_conv("normal", 3), f);
        const Evaluation e = evaluate_case(case_json(k), "realistic");
        const Precision half = precision(dtype), certain = precision(dtype, "certain");
        CHECK(half.u == std::ldexp(1.0, -24));  // float32 accumulation, the default
        // the products of two half-precision values are exact in float32: im2col + sgemm and tap by tap sum them in
        // float32 and store each result once; PyTorch's bfloat16 convolution (float16 has none on the CPU) does too
        std::vector<std::pair<std::string, Answer>> correct = {{"tap by tap", stored(tap_by_tap(k), f)},
                                                               {"im2col + sgemm", stored(im2col_sgemm(k), f)}};
        // PyTorch in bfloat16; in float16, which it cannot convolve on the CPU, PyTorch in float32 from the float16
        // inputs, each result stored in float16: a third order of summation, as a mixed-precision kernel runs it
        correct.emplace_back("PyTorch", dtype == "bfloat16" ? pytorch(k, "bfloat16") : stored(pytorch(k, "float32"), f));
        for (const auto& [name, answer] : correct) {
            const Verdict v = check_result(e, result_json(answer), name, half, TiePolicy::any);
            INFO(dtype << ", " << name);
            for (const TensorVerdict& t : v.tensors) INFO(t.key << ": " << t.ratio << " of its bound " << t.bound);
            CHECK(v.pass());
            for (const TensorVerdict& t : v.tensors) CHECK(t.tight);
        }
        const Answer gemm = correct[1].second;
        // one dw element off by 1e-2 of max |dw|
        Answer off = gemm;
        off.dw[largest(off.dw)] = float(round_to(1.01 * off.dw[largest(off.dw)], f));
        // the largest bias gradient off by 1e-2 of itself
        Answer bias = gemm;
        bias.db[largest(bias.db)] = float(round_to(1.01 * bias.db[largest(bias.db)], f));
        // one output row missed in one sample
        Conv short_row = k;
        for (int g = 0; g < F; ++g)
            for (int j = 0; j < W; ++j) short_row.dout[oi(3, g, 10, j)] = 0;
        Answer missed = stored(im2col_sgemm(short_row), f);
        missed.out.clear(), missed.dx.clear();
        // summed in the storage type where float32 was due
        const Answer narrow = tap_by_tap(k, &f);
        for (const auto& [name, wrong] : {std::pair<const char*, const Answer*>{"a dw element off by 1e-2 of max |dw|", &off},
                                          {"the largest db off by 1e-2 of itself", &bias},
                                          {"one output row missed in one sample", &missed},
                                          {"summed in the storage type", &narrow}}) {
            INFO(dtype << ": " << name);
            const Verdict v = check_result(e, result_json(*wrong), name, half, TiePolicy::any);
            for (const TensorVerdict& t : v.tensors) INFO(t.key << ": " << t.ratio << " of its bound " << t.bound);
            CHECK(v.fail());
            // (E3), the certain bound, lets the dw mistake through
            if (std::string(name).find("dw element") != std::string::npos)
                CHECK_FALSE(check_result(e, result_json(*wrong), name, certain, TiePolicy::any).fail());
        }
    }
}

TEST_CASE("exact cases: the realistic conv2d with integer inputs is judged with tolerance 0, and cannot see x rounded to float16", "[oracle][tight][exact]") {
    const Conv k = draw_conv("integers", 4);
    json doc = case_json(k);
    doc["exact"] = true;
    const Evaluation e = evaluate_case(doc, "realistic exact");
    const Precision float32 = precision("float32");
    const Answer tap = tap_by_tap(k), gemm = im2col_sgemm(k);
    // two orders, the same bits: every partial sum is an integer below 2^24 (E12)
    CHECK(check_result(e, result_json(tap), "tap by tap", float32, TiePolicy::any).pass());
    CHECK(check_result(e, result_json(gemm), "im2col + sgemm", float32, TiePolicy::any).pass());
    CHECK(tap.dw == gemm.dw);
    // one dw element one float32 ulp off fails: its bound is 0
    Answer ulp = gemm;
    ulp.dw[7] = std::nextafter(ulp.dw[7], INFINITY);
    const Verdict v = check_result(e, result_json(ulp), "one ulp", float32, TiePolicy::any);
    CHECK(v.fail());
    for (const TensorVerdict& t : v.tensors)
        if (t.key == "dw") CHECK(t.bound == 0);
    // what exact cases cannot see: x rounded to float16 changes nothing, since small integers are float16 values;
    // the realistic case in normal data (above) catches it
    Conv half = k;
    for (float& v : half.x) v = to_float16(v);
    CHECK(check_result(e, result_json(im2col_sgemm(half)), "x rounded to float16", float32, TiePolicy::any).pass());
}
