#include "oracle_commands.hpp"

#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace cnnbp::cli {

using json = nlohmann::ordered_json;

namespace {
std::string display_name(const std::string& path) { return path == "-" ? "standard input" : path; }
}  // namespace

const char* exit_meaning(int status) {
    switch (status) {
    case 0: return "pass";
    case 1: return "fail: a judged element is wrong";
    case 2: return "invalid input or usage";
    case 3: return "internal error";
    case 4: return "not everything could be judged";
    case 5: return "incomplete: answers left required outputs out";
    default: return "unknown";
    }
}

int run_eval(const std::string& case_path, const std::string& out_path, bool canonical, bool npy) {
    if (npy && (out_path.empty() || out_path == "-"))  // refused before the work
        fail("eval --npy needs -o OUT.json: the .npy files are written beside it and named after it");
    json doc = read_json_file(case_path, false);
    const Evaluation e = evaluate_case(doc, display_name(case_path));
    if (canonical) doc = canonical_case(doc);
    for (const auto& [key, x] : e.outputs)  // JSON has no infinity: refuse rather than write null
        for (std::size_t k = 0; k < x.value.data.size(); ++k)
            if (!std::isfinite(x.value.data[k]))
                fail(display_name(case_path), ": ", key, " ", x.value.index_string(k), " is ", x.value.data[k],
                     ": the case's numbers overflow double, so cnnbp has no expected value to give");
    doc["expected"] = expected_json(e);
    if (npy) write_npy_tensors(doc, out_path);  // the copied inputs too: OUT.json and its files stand alone
    else rebase_npy(doc, out_path);             // the inputs' files stay where they are
    write_text_file(out_path, format_json(doc));
    return 0;
}

namespace {

// The worst element's error in units of its bound, and what that means: within what rounding explains, beyond the
// tight bound (E9) only, or beyond the certain bound (E3) too.
std::string error_in_units(const TensorVerdict& t) {
    std::ostringstream os;
    os << std::setprecision(3);
    const char* which = t.tight ? "tight bound (E9)" : "bound (E3)";
    if (t.pass) {
        os << "error " << t.ratio << " x its " << which;
    } else if (t.beyond_certain > 0) {
        os << "error " << t.ratio << " x its " << which << "; " << t.beyond_certain
           << " element(s) beyond the certain bound (E3) too: wrong in every rounding model";
    } else {
        os << "error " << t.ratio << " x its " << which << ", within the certain bound " << t.certain
           << ": more than rounding explains unless the summation order or the data defeat the model (--bound certain)";
    }
    return os.str();
}

}  // namespace

int run_check(const std::string& case_path, const std::string& result_path, const std::string& dtype,
              const std::string& accumulate, bool as_json, const std::string& ties, const std::string& bound) {
    if (ties != "any" && ties != "first") fail("--ties must be any or first, got ", ties);
    const Precision p = precision(dtype, bound, accumulate);
    const json doc = read_json_file(case_path, false);
    const Evaluation e = evaluate_case(doc, display_name(case_path));
    const json result = read_json_file(result_path, true);
    const Verdict v = check_result(e, result, display_name(result_path), p, ties == "any" ? TiePolicy::any : TiePolicy::first);
    // 1: a judged element is wrong; 4: nothing wrong, but not everything could be judged (or nothing was provided)
    const int status = v.fail() ? 1 : v.pass() ? 0 : 4;
    std::ostringstream os;  // the text report: printed, or carried in the JSON one
    os << "check " << e.op << " case " << display_name(case_path) << " against " << display_name(result_path) << " in "
       << dtype << (p.accumulate != p.dtype ? " (accumulated in " + p.accumulate + ")" : "")
       << (e.exact ? " (exact case: tolerance 0)" : "") << '\n'
       << std::setprecision(17);
    std::size_t width = 5;
    for (const TensorVerdict& t : v.tensors) width = std::max(width, t.key.size() + 1);
    for (const TensorVerdict& t : v.tensors) {
        if (t.judged == 0 && !v.not_judged.empty()) {
            os << "  " << std::left << std::setw(int(width)) << t.key << "not judged\n";
            continue;
        }
        os << "  " << std::left << std::setw(int(width)) << t.key << (t.pass ? "pass" : "FAIL") << "  worst element "
           << t.worst_index << ": " << t.value << " expected " << t.expected << ", |difference| " << std::setprecision(3)
           << t.difference << (t.difference <= t.bound ? " <= " : " > ") << "bound " << t.bound << std::setprecision(17)
           << " (" << t.elements << " elements";
        if (t.unbounded) os << ", " << t.unbounded << " not judged: no finite bound";
        os << ")\n" << std::setprecision(3) << "        " << error_in_units(t) << '\n' << std::setprecision(17);
        if (!t.model_refused.empty()) os << "        note: " << t.model_refused << '\n';
        if (t.mostly_zero)
            os << "        warning: most expected elements of " << t.key
               << " are 0; this case cannot tell a right implementation from many wrong ones\n";
    }
    for (const std::string& key : v.not_provided) os << "  " << std::left << std::setw(int(width)) << key << "not provided\n";
    if (v.tensors.empty()) os << "  no output provided: nothing was judged\n";
    if (!v.not_judged.empty()) os << "  NOT JUDGED: " << v.not_judged << '\n';
    os << (v.fail() ? "FAIL" : v.pass() ? "PASS" : "NOT JUDGED") << '\n';
    if (!as_json) {
        std::cout << os.str();
        return status;
    }
    auto number = [](double x) { return std::isfinite(x) ? json(x) : json(std::isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity")); };
    json report = {{"case", case_path}, {"op", e.op}, {"dtype", dtype}, {"accumulate", p.accumulate}, {"unit_roundoff", p.u},
                   {"storage_unit_roundoff", p.store}, {"exact", e.exact},
                   {"ties", ties}, {"bound", bound}, {"pass", v.pass()}, {"fail", v.fail()}, {"not_provided", v.not_provided},
                   {"not_judged", v.not_judged}, {"tensors", json::array()}};
    for (const TensorVerdict& t : v.tensors)
        report["tensors"].push_back({{"key", t.key}, {"pass", t.pass}, {"worst_index", t.worst_index},
                                     {"value", number(t.value)}, {"expected", t.expected},
                                     {"difference", number(t.difference)}, {"bound", t.bound},
                                     {"bound_kind", t.tight ? "tight" : "certain"}, {"certain_bound", t.certain},
                                     {"error_in_bounds", number(t.ratio)}, {"beyond_certain", t.beyond_certain},
                                     {"data_model_refused", t.model_refused},
                                     {"elements", t.elements}, {"judged", t.judged}, {"unbounded", t.unbounded},
                                     {"mostly_zero", t.mostly_zero}});
    report["exit_status"] = status;
    report["meaning"] = exit_meaning(status);
    report["report"] = os.str();
    std::cout << report.dump(2) << '\n';
    return status;
}

int run_gradcheck(const std::string& case_path, bool all, bool as_json) {
    const json doc = read_json_file(case_path, false);
    const arma::uword limit = all ? 0 : 256;
    const bool progress = isatty(STDERR_FILENO) && !as_json;
    if (progress) std::cerr << "gradcheck: evaluating the case twice per checked element..." << std::flush;
    const std::vector<GradcheckRow> rows = gradcheck_case(doc, display_name(case_path), limit);
    if (progress) std::cerr << "\r" << std::string(60, ' ') << "\r" << std::flush;
    double worst = 0;
    for (const GradcheckRow& r : rows) worst = std::max(worst, r.worst_relative);
    // The relative step of (F3) leaves ~1e-10 of rounding and truncation on these small cases; 1e-6 flags a formula.
    const bool ok = worst <= 1e-6;
    const int status = ok ? 0 : 1;
    if (as_json) {
        json report = {{"case", case_path}, {"op", doc["op"]}, {"all", all}, {"rows", json::array()}};
        for (const GradcheckRow& r : rows)
            report["rows"].push_back({{"input", r.input}, {"gradient", r.gradient}, {"checked", r.checked},
                                      {"worst_relative", r.worst_relative}, {"worst_index", r.worst_index}});
        report["tolerance"] = 1e-6;
        report["exit_status"] = status;
        report["meaning"] = ok ? "pass" : "fail: the oracle disagrees with finite differences";
        std::cout << report.dump(2) << '\n';
        return status;
    }
    std::cout << "gradcheck " << doc["op"].get<std::string>() << " case " << display_name(case_path)
              << ": central differences of "
              << (doc["op"] == "mse" || doc["op"] == "softmax_cross_entropy" || doc["op"] == "sequential" ? "the loss" : "<out, dout>")
              << (all ? "" : " (at most 256 elements per input, evenly spread; --all for every one)") << '\n';
    for (const GradcheckRow& r : rows)
        std::cout << "  " << std::left << std::setw(3) << r.input << " vs " << std::setw(3) << r.gradient << ' '
                  << std::setw(5) << r.checked << " elements, worst relative error " << std::setprecision(3)
                  << r.worst_relative << " at " << r.worst_index << '\n';
    std::cout << (ok ? "OK" : "MISMATCH") << '\n';
    return status;
}

}  // namespace cnnbp::cli

#include "cnnbp/oracle/golden.hpp"

#include <filesystem>
#include <unistd.h>

namespace cnnbp::cli {

int run_golden(const std::string& dir, bool large) {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) fail(dir, ": is not a folder");
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(dir, ": cannot be created (", ec.message(), ")");
    const std::vector<GoldenCase> cases = large ? large_golden_cases() : golden_cases();
    const bool progress = isatty(STDERR_FILENO);
    std::ostringstream index;
    index << "# golden/: the golden suite\n\n"
          << "Written by `build/cnnbp golden` (deterministically: the same bytes on every run; a test regenerates it and\n"
          << "demands that nothing changed). Each file is a `cnnbp-case/1` case with `expected` filled in by the oracle,\n"
          << "and every case is also checked by finite differences and against PyTorch. The format is documented in\n"
          << "`docs/case_format.md`. "
          << (large ? "These are the large cases (`cnnbp golden --large`): realistic layer sizes, every tensor in a .npy\n"
                      "file beside its case, inputs in {-2, -1, 1, 2}, so that every sum is exact in float32 in any order\n"
                      "and they are judged with tolerance 0.\n\n"
                    : "Inputs are multiples of 1/16, exactly representable in float32; cases marked exact\n"
                      "are judged with tolerance 0, since every sum in them is exact in float32 in any order.\n\n")
          << "| file | op | exercises | exact |\n|---|---|---|---|\n";
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const GoldenCase& c = cases[i];
        if (progress) std::cerr << "\rgolden: " << i + 1 << "/" << cases.size() << ' ' << std::flush;
        json doc = c.doc;
        doc["expected"] = expected_json(evaluate_case(doc, c.file));
        const std::string path = (std::filesystem::path(dir) / c.file).string();
        if (large) write_npy_tensors(doc, path);
        write_text_file(path, format_json(doc));
        index << "| `" << c.file << "` | " << doc["op"].get<std::string>() << " | " << c.exercises << " | "
              << (doc.value("exact", false) ? "yes" : "") << " |\n";
    }
    if (progress) std::cerr << '\n';
    write_text_file((std::filesystem::path(dir) / "README.md").string(), index.str());
    std::cout << "wrote " << cases.size() << " cases and README.md to " << dir << '\n';
    return 0;
}

}  // namespace cnnbp::cli
