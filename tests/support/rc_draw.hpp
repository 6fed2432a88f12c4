// The Draw of the properties: the one generator of cases (each op's generate() in src/lib/cnnbp/ops/) with
// RapidCheck supplying every integer and value, so that RapidCheck shrinks a counterexample through the same named
// draws that hunt replays. Values are multiples of 1/16 from gen_value() (0 included: RapidCheck shrinks toward it).
#pragma once

#include "cnnbp/ops/op.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/testing/draw.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace cnnbp::testing {

// One value k/16 with k in [-32, 32], drawn uniformly whatever RapidCheck's size, and shrinking toward 0 through
// small magnitudes (0, 1/16, -1/16, 2/16, ...): an integer m in [0, 64] is unfolded as 0, 1, -1, 2, -2, ...
inline rc::Gen<double> gen_value() {
    return rc::gen::map(rc::gen::resize(100, rc::gen::inRange(0, 65)),
                        [](int m) { return (m % 2 == 1 ? (m + 1) / 2 : -(m / 2)) / 16.0; });
}

// All different values (a shuffled 0, 1, 2, ... centred on 0, divided by 8), so that no max-pool window ties.
inline std::vector<double> distinct_values(const std::vector<int>& keys) {
    std::vector<std::size_t> order(keys.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
    std::vector<double> v(keys.size());
    for (std::size_t k = 0; k < order.size(); ++k) v[order[k]] = (double(k) - double(order.size() / 2)) / 8.0;
    return v;
}

class RcDraw : public Draw {
public:
    int integer(const std::string&, int lo, int hi) override { return *rc::gen::inRange(lo, hi + 1); }
    std::vector<double> values(const std::string&, std::size_t count, ValueRule rule) override {
        if (rule == ValueRule::distinct)
            return distinct_values(*rc::gen::container<std::vector<int>>(count, rc::gen::resize(100, rc::gen::inRange(0, 1 << 20))));
        if (rule == ValueRule::ties)
            return *rc::gen::container<std::vector<double>>(count, rc::gen::map(rc::gen::inRange(-1, 2), [](int k) { return double(k); }));
        return *rc::gen::container<std::vector<double>>(count, gen_value());
    }
};

// A case of `op` from the op's own generator.
inline rc::Gen<OpCase> gen_op_case(const Op& op) {
    return rc::gen::exec([&op] {
        RcDraw d;
        OpCase c = op.generate(d);
        c.op = &op;
        return c;
    });
}

}  // namespace cnnbp::testing

namespace cnnbp {
// A counterexample prints as the case file it would be.
inline void showValue(const OpCase& c, std::ostream& os) { os << format_json(write_case(c, "counterexample")); }
}  // namespace cnnbp
