#include "cnnbp/testing/draw.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace cnnbp {

RandomDraw::RandomDraw(std::uint64_t seed, std::map<std::string, std::pair<int, int>> pins,
                       std::map<std::string, int> replay, std::map<std::string, std::vector<double>> pools_)
    : pools(std::move(pools_)), rng_(seed), pins_(std::move(pins)), replay_(std::move(replay)) {}

int RandomDraw::integer(const std::string& name, int lo, int hi) {
    hi = std::max(lo, hi);
    const int range_lo = lo, range_hi = hi;  // the generator's own range, recorded
    if (const auto pin = pins_.find(name); pin != pins_.end()) lo = pin->second.first, hi = std::max(lo, pin->second.second);
    const std::string key = name + "#" + std::to_string(times_[name]++);
    const auto again = replay_.find(key);
    const int v = again != replay_.end() ? std::clamp(again->second, lo, hi) : rng_.integer(lo, hi);
    drawn.push_back({key, v, range_lo, range_hi});
    return v;
}

double distinct_value(std::int64_t j, int bits) {
    const std::int64_t a = j < 0 ? -j : j, top = std::int64_t(1) << bits;
    if (a <= top) return double(j) / 16.0;  // j/16, j an integer of at most `bits` bits
    // beyond 2^bits / 16, the values of `bits` significant bits in increasing order: binade b starts at
    // 2^(bits - 4 + b), holds 2^(bits - 1) values and steps by their ulp, 2^(b - 3)
    const std::int64_t per = top / 2, i = a - top - 1;
    const int b = int(i / per);
    const double v = std::ldexp(1.0, bits - 4 + b) + double(i % per + 1) * std::ldexp(1.0, b - 3);
    return j < 0 ? -v : v;
}

std::vector<double> RandomDraw::values(const std::string& tensor, std::size_t count, ValueRule rule) {
    std::vector<double>& pool = pools[tensor];
    if (pool.empty()) {
        const std::size_t size = std::max<std::size_t>(count, 4 * 6 * 9 * 9);
        for (std::size_t k = 0; k < size; ++k) {
            if (rule == ValueRule::ties) pool.push_back(double(rng_.integer(-1, 1)));
            else if (rule == ValueRule::distinct) pool.push_back(distinct_value(std::int64_t(k) - std::int64_t(size / 2), bits));
            else if (integers) pool.push_back(double(std::array{-2, -1, 1, 2}[rng_.next() % 4]));
            else pool.push_back(rng_.nonzero_sixteenth());
        }
        if (rule == ValueRule::distinct)  // a Fisher-Yates shuffle on the Rng
            for (std::size_t i = size - 1; i > 0; --i) std::swap(pool[i], pool[rng_.next() % (i + 1)]);
    }
    std::vector<double> v(count);
    for (std::size_t k = 0; k < count; ++k) v[k] = pool[k % pool.size()];
    return v;
}

}  // namespace cnnbp
