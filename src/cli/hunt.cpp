#include "hunt.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/float_format.hpp"
#include "cnnbp/ops/op.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"
#include "suite.hpp"
#include "workers.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <unistd.h>

namespace cnnbp::cli {

using json = nlohmann::ordered_json;

namespace {

bool generates(const Op& op) { return op.generate != nullptr; }

// A case as hunt draws it: the OpCase, and how it was drawn (every named integer, the value pools), so that it can be
// drawn again with smaller integers or simpler values.
struct Drawing {
    OpCase c;
    std::vector<Drawn> drawn;
    std::map<std::string, std::vector<double>> pools;
};

// Draws a case of `op` from `seed`, with `replay` overriding recorded integers and `pools` the values.
Drawing draw_case(const Op& op, std::uint64_t seed, const HuntOptions& o, std::map<std::string, int> replay = {},
                  std::map<std::string, std::vector<double>> pools = {}) {
    RandomDraw d(seed, o.params, std::move(replay), std::move(pools));
    d.ties = o.ties;
    d.bits = float_format(o.dtype).p;
    d.integers = o.exact;
    OpCase c = op.generate(d);
    c.op = &op;
    return {std::move(c), std::move(d.drawn), std::move(d.pools)};
}

// Simpler versions of a failing case, simplest first: every named integer (batch, channels, sizes, kernel, stride,
// padding, dilation, flags) down to the low end of its range, or down by one; then each tensor's values rounded to
// the nearest integer (keeping 0 out where it was). The coins that chose a special case ("~square kernel") are kept.
std::vector<std::pair<std::map<std::string, int>, std::map<std::string, std::vector<double>>>> shrink(const Drawing& s) {
    std::map<std::string, int> now;
    for (const Drawn& d : s.drawn) now[d.key] = d.value;
    std::vector<std::pair<std::map<std::string, int>, std::map<std::string, std::vector<double>>>> out;
    for (const Drawn& d : s.drawn) {
        if (d.key[0] == '~' || d.value <= d.lo) continue;
        for (int smaller : {d.lo, d.value - 1}) {
            auto replay = now;
            replay[d.key] = smaller;
            out.emplace_back(replay, s.pools);
            if (d.value - 1 == d.lo) break;  // value - 1 is the low end, just tried
        }
    }
    auto rounded = [](std::vector<double> v) {
        for (double& x : v) x = x == 0 ? 0 : (std::round(x) == 0 ? (x > 0 ? 1 : -1) : std::round(x));
        return v;
    };
    for (const auto& [name, pool] : s.pools) {
        const std::vector<double> r = rounded(pool);
        if (r == pool || std::set<double>(pool.begin(), pool.end()).size() == pool.size()) continue;  // distinct values stay distinct
        auto pools = s.pools;
        pools[name] = r;
        out.emplace_back(now, pools);
    }
    return out;
}

// The ops whose outputs are sums of products of the inputs, copies or maxima: exact when no sum rounds, (E12).
// The others divide (an average, a mean loss) or take a function (exp, tanh).
bool exact_capable(const std::string& op) {
    static const std::set<std::string> ops = {"conv2d", "conv_transpose2d", "linear", "pad2d", "maxpool2d", "relu", "flatten"};
    return ops.count(op) > 0;
}

// The case file of a drawing, marked "exact" under --exact.
json case_doc(const Drawing& d, const HuntOptions& o) {
    json doc = write_case(d.c, "hunt");
    if (o.exact) doc["exact"] = true;
    return doc;
}

// "conv2d with x (1,1,3,3), w (1,1,2,2), b (1), params {...}"
std::string describe(const OpCase& c) {
    std::ostringstream os;
    os << c.op->name << " with";
    const char* sep = " ";
    for (const std::string& input : c.op->inputs)
        if (c.inputs.count(input)) os << sep << input << ' ' << c.inputs.at(input).shape_string(), sep = ", ";
    const json params = c.op->write(c.params);
    if (!params.empty()) os << ", params " << params.dump();
    return os.str();
}

// Prints a --json report and returns its exit status.
int print_json(const json& report) {
    std::cout << report.dump(2) << '\n';
    return report.at("exit_status").get<int>();
}

// Saves a case where --save says: one JSON file, or with --npy a JSON file naming a .npy file per tensor.
void save_case(const HuntOptions& o, json doc) {
    if (o.npy) write_npy_tensors(doc, o.save);
    write_text_file(o.save, format_json(doc));
}

}  // namespace

void set_hunt_shard(HuntOptions& o, const std::string& text) {
    const auto slash = text.find('/');
    std::uint64_t k = 0, n = 0;
    try {
        std::size_t used_k = 0, used_n = 0;
        if (slash == std::string::npos || text[0] == '-' || text[slash + 1] == '-') throw std::invalid_argument(text);
        k = std::stoull(text.substr(0, slash), &used_k);
        n = std::stoull(text.substr(slash + 1), &used_n);
        if (used_k != slash || used_n != text.size() - slash - 1) throw std::invalid_argument(text);
    } catch (const std::exception&) {
        fail("--shard must be K/N with whole numbers 0 <= K < N, e.g. 0/4; got ", text);
    }
    if (n == 0 || k >= n) fail("--shard must be K/N with 0 <= K < N (shards are numbered from 0); got ", text);
    o.shard = k, o.shards = n;
}

void add_hunt_param(HuntOptions& o, const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail("--param must be NAME=VALUE or NAME=LO..HI, got ", text);
    const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
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
    const auto& table = op_table();
    const auto it = std::find_if(table.begin(), table.end(), [&](const Op& op) { return op.name == o.op && generates(op); });
    if (it == table.end()) fail("--op ", o.op, " is not an op hunt generates (", op_names(generates), ")");
    const Op& op = *it;
    if (o.exact && !exact_capable(op.name))
        fail("hunt --exact draws only ops whose outputs can be exact (conv2d, conv_transpose2d, linear, pad2d, maxpool2d, "
             "relu, flatten); ", op.name, " divides or takes a function, which rounds");
    if (o.npy && (o.save.empty() || o.save == "-"))
        fail("hunt --npy needs --save FILE.json: the .npy files are written beside it and named after it");
    {  // every pin must name a quantity the op draws, within the range it draws it from
        std::map<std::string, std::pair<int, int>> ranges;
        for (std::uint64_t seed = 0; seed < 256; ++seed)
            for (const Drawn& d : draw_case(op, seed, HuntOptions{}).drawn) {
                if (d.key[0] == '~') continue;
                const std::string name = d.key.substr(0, d.key.find('#'));
                auto [it, fresh] = ranges.try_emplace(name, d.lo, d.hi);
                if (!fresh) it->second = {std::min(it->second.first, d.lo), std::max(it->second.second, d.hi)};
            }
        for (const auto& [name, range] : o.params) {
            const auto it = ranges.find(name);
            if (it == ranges.end()) {
                std::string list;
                for (const auto& [n, r] : ranges) list += (list.empty() ? "" : ", ") + n;
                fail("--param ", name, " is not a parameter hunt draws for ", o.op, " (", list, ")");
            }
            if (range.first < it->second.first || range.second > it->second.second)
                fail("--param ", name, "=", range.first, "..", range.second, " is outside ", it->second.first, "..",
                     it->second.second, ", the range hunt draws ", name, " from for ", o.op);
        }
    }
    const Precision p = precision(o.dtype, o.bound, o.accumulate);
    const Requirement required = parse_requirement(o.require);
    Rng seeds(o.seed);
    auto impls = start_implementations(o.impl, o.jobs, o.timeout, o.startup_timeout);
    const bool progress = isatty(STDERR_FILENO) && !o.as_json;
    // Shared by the workers, under `m`: the next case to hand out (numbered from 1, drawn from the seed sequence in
    // order, this shard's only), the counts, and the failing case with the smallest number, which is the one a
    // single implementation would have met first.
    std::mutex m;
    int next = 0, drawn = 0, done = 0;
    bool stop = false;
    std::map<std::string, int> coverage;
    int unsupported = 0, not_judged = 0, invalid = 0, incomplete = 0, first_incomplete_at = 0;
    std::string first_incomplete;
    struct Failure {
        int i = 0;
        std::uint64_t seed = 0;
        Drawing drawing;
        json doc;
        Evaluation e;
        Outcome outcome;
    };
    std::optional<Failure> found;
    auto take = [&]() -> std::optional<std::pair<int, std::uint64_t>> {
        std::lock_guard<std::mutex> hold(m);
        while (!stop && next < o.cases) {
            const std::uint64_t seed = seeds.next();
            if (std::uint64_t(next++) % o.shards == o.shard) return std::pair{next, seed};
        }
        return std::nullopt;
    };
    const auto start = std::chrono::steady_clock::now();
    on_each(impls, [&](Implementation& impl) {
        while (const auto item = take()) {
            const auto [i, seed] = *item;
            Failure f{i, seed, {}, {}, {}, {}};
            try {
                f.drawing = draw_case(op, seed, o);
                f.doc = case_doc(f.drawing, o);
                f.e = evaluate_case(f.doc, "hunt");
            } catch (const Error&) {
                std::lock_guard<std::mutex> hold(m);
                ++invalid, ++drawn;  // a pinned range or a rare draw that breaks a rule; hunt draws another
                continue;
            }
            f.outcome = judge_case(impl, f.doc, f.e, p, required);
            std::lock_guard<std::mutex> hold(m);
            ++drawn;
            if (op.conditions)
                for (const std::string& c : op.conditions(f.drawing.c)) coverage[c]++;
            if (progress && ++done % 25 == 0) std::cerr << "\rhunt " << o.op << ": " << done << ' ' << std::flush;
            const Outcome::Kind kind = f.outcome.kind;
            if (kind == Outcome::unsupported) ++unsupported;
            if (kind == Outcome::not_judged) ++not_judged;
            if (kind == Outcome::incomplete && (incomplete++ == 0 || i < first_incomplete_at))
                first_incomplete = f.outcome.detail + " (case " + std::to_string(i) + ")", first_incomplete_at = i;
            if (kind == Outcome::failed && (!found || i < found->i)) found = std::move(f), stop = true;
        }
    }, [&] {
        std::lock_guard<std::mutex> hold(m);
        stop = true;
    });
    if (found) {
        Implementation& impl = *impls[0];
        const int i = found->i;
        const std::uint64_t seed = found->seed;
        const Drawing& drawing = found->drawing;
        const json& doc = found->doc;
        const Evaluation& e = found->e;
        const Outcome& outcome = found->outcome;
        // shrink: take the first simpler case that still fails, until none does
        Drawing smallest = drawing;
        json smallest_doc = doc;
        Evaluation smallest_e = e;
        Outcome last = outcome;
        int steps = 0;
        for (bool improved = true; improved;) {
            improved = false;
            for (auto& [replay, pools] : shrink(smallest)) {
                Drawing candidate;
                json c;
                Evaluation ce;
                try {
                    candidate = draw_case(op, seed, o, replay, pools);
                    c = case_doc(candidate, o);
                    if (c == smallest_doc) continue;  // the same case
                    ce = evaluate_case(c, "hunt");
                } catch (const Error&) {
                    continue;  // a candidate that breaks a rule
                }
                const Outcome r = judge_case(impl, c, ce, p, required);
                if (r.kind == Outcome::failed) {
                    smallest = std::move(candidate), smallest_doc = std::move(c), smallest_e = std::move(ce);
                    last = r, improved = true, ++steps;
                    break;
                }
            }
        }
        if (progress) std::cerr << '\n';
        // confirm in a fresh process: a failure that depends on what came before must not be shrunk into a wrong case
        std::string note;
        impl.restart();
        if (judge_case(impl, smallest_doc, smallest_e, p, required).kind != Outcome::failed) {
            impl.restart();
            const Outcome again = judge_case(impl, doc, e, p, required);
            if (again.kind != Outcome::failed) {
                save_case(o, doc);
                if (o.as_json)
                    return print_json(json{{"op", o.op}, {"seed", o.seed}, {"outcome", "flaky"}, {"case_number", i},
                                           {"detail", outcome.detail}, {"saved", o.save}, {"exit_status", 1}});
                std::cout << "hunt " << o.op << ": FLAKY: case " << i << " of " << o.cases << " (seed " << o.seed
                          << ") failed, but passed again in a fresh process:\n  " << outcome.detail
                          << "\nthe case is saved in " << o.save << " (no minimal case: the failure does not reproduce)\n";
                return 1;
            }
            smallest = drawing, smallest_doc = doc, smallest_e = e, last = again, steps = 0;
            note = "the smaller cases did not fail again in a fresh process, so the first failing case is reported as it was "
                   "drawn (does the implementation keep state between cases?)\n";
        }
        json saved = smallest_doc;
        saved["expected"] = expected_json(smallest_e);
        save_case(o, saved);
        const std::string reproduce = reproduce_command(o.save, o.impl, o.dtype, o.require, o.accumulate);
        if (o.as_json)
            return print_json(json{{"op", o.op}, {"seed", o.seed}, {"outcome", "wrong answer"}, {"case_number", i},
                                   {"shrink_steps", steps}, {"minimal_case", describe(smallest.c)}, {"detail", last.detail},
                                   {"saved", o.save}, {"reproduce", reproduce}, {"exit_status", 1}});
        std::cout << "hunt " << o.op << ": wrong answer on case " << i << " of " << o.cases << " (seed " << o.seed << ")\n"
                  << note << "shrunk in " << steps << " steps to " << describe(smallest.c) << '\n'
                  << "  " << last.detail << '\n'
                  << "the minimal case, with what cnnbp expects, is saved in " << o.save << ":\n"
                  << format_json(saved) << "reproduce: " << reproduce << '\n';
        return 1;
    }
    if (progress) std::cerr << '\n';
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int valid = drawn - invalid, judged = valid - unsupported - not_judged;
    // 5: right where it answered, but it left required outputs out; 4: no case judged; neither is a pass
    const int status = incomplete ? 5 : judged <= 0 ? 4 : 0;
    const std::string shard = o.shards > 1 ? ", shard " + std::to_string(o.shard) + "/" + std::to_string(o.shards) : "";
    if (o.as_json) {
        json r = {{"op", o.op}, {"seed", o.seed}, {"shard", {o.shard, o.shards}}, {"outcome", "no wrong answer"},
                  {"cases", valid}, {"invalid_draws", invalid}, {"unsupported", unsupported}, {"not_judged", not_judged},
                  {"incomplete", incomplete}, {"exit_status", status}};
        if (incomplete) r["first_incomplete"] = first_incomplete;
        if (o.coverage) r["coverage"] = coverage;
        return print_json(r);
    }
    std::cout << "hunt " << o.op << ": no wrong answer in " << valid << " cases (seed " << o.seed << shard << ", "
              << std::setprecision(3) << valid / std::max(seconds, 1e-9) << " cases/s)";
    if (unsupported) std::cout << ", " << unsupported << " unsupported";
    if (not_judged) std::cout << ", " << not_judged << " not judged";
    if (incomplete) std::cout << ", " << incomplete << " incomplete";
    std::cout << '\n';
    if (o.coverage) {
        std::cout << "coverage (cases that had each condition):\n";
        for (const auto& [condition, count] : coverage) std::cout << "  " << std::setw(6) << count << "  " << condition << '\n';
    }
    if (status == 5)
        std::cout << "answers left required outputs out (--require " << o.require << "), the first: " << first_incomplete
                  << ": exit status 5\n";
    if (status == 4)
        std::cout << "nothing was judged" << (invalid ? " (every drawn case was invalid: are the --param pins possible together?)" : "")
                  << ": exit status 4\n";
    return status;
}

}  // namespace cnnbp::cli
