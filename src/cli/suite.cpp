#include "suite.hpp"

#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace cnnbp::cli {

using json = nlohmann::ordered_json;

Requirement parse_requirement(const std::string& text) {
    if (text == "all") return {Requirement::all, {}};
    if (text == "any") return {Requirement::any, {}};
    static const std::set<std::string> known = {"out", "loss", "dx", "da", "dz", "dw", "db"};
    Requirement r{Requirement::listed, {}};
    std::stringstream list(text);
    for (std::string key; std::getline(list, key, ',');) {
        if (!known.count(key))
            fail("--require must be all, any, or a comma-separated list of out, loss, dx, da, dz, dw, db; got '", key, "' in ", text);
        r.keys.insert(key);
    }
    if (r.keys.empty()) fail("--require names no output: ", text);
    return r;
}

namespace {

// The outputs `r` requires that the answer left out, in the case's order.
std::vector<std::string> missing(const Verdict& v, const Requirement& r) {
    std::vector<std::string> out;
    for (const std::string& key : v.not_provided) {
        const std::string base = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
        if (r.kind == Requirement::all || (r.kind == Requirement::listed && r.keys.count(base))) out.push_back(key);
    }
    return out;
}

}  // namespace

Outcome judge_case(Implementation& impl, const json& doc, const Evaluation& e, const Precision& p, const Requirement& r) {
    json request = doc;
    request.erase("expected");
    std::string answer, problem;
    if (!impl.ask(request.dump(), answer, problem)) return {Outcome::failed, problem};
    json result;
    try {
        result = parse_json(answer, "the implementation's answer", true);
    } catch (const Error& err) {
        return {Outcome::failed, std::string("malformed answer: ") + err.what()};
    }
    if (result.is_object() && result.contains("unsupported"))
        return {Outcome::unsupported, result["unsupported"].is_string() ? result["unsupported"].get<std::string>() : result["unsupported"].dump()};
    try {
        const Verdict v = check_result(e, result, "the answer", p, TiePolicy::any);
        if (v.tensors.empty()) return {Outcome::failed, "the answer holds none of the outputs"};
        for (const TensorVerdict& t : v.tensors)
            if (!t.pass) {
                std::ostringstream os;
                os << std::setprecision(10) << t.key << " " << t.worst_index << ": " << t.value << " expected "
                   << t.expected << " (|difference| " << std::setprecision(3) << t.difference << " > bound " << t.bound << ")";
                return {Outcome::failed, os.str()};
            }
        if (const std::vector<std::string> left_out = missing(v, r); !left_out.empty()) {
            std::string list;
            for (const std::string& key : left_out) list += (list.empty() ? "" : ", ") + key;
            return {Outcome::incomplete, "the answer leaves out " + list};
        }
        if (!v.not_judged.empty()) return {Outcome::not_judged, v.not_judged};
        return {Outcome::passed, ""};
    } catch (const Error& err) {
        return {Outcome::failed, err.what()};  // a wrong shape or an unknown key in the answer
    }
}

int run_suite(const SuiteOptions& o) {
    const Precision p = precision(o.dtype);
    const Requirement required = parse_requirement(o.require);
    if (!std::filesystem::is_directory(o.dir)) fail(o.dir, ": not a folder of case files");
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(o.dir))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) fail(o.dir, ": no .json case files");
    Implementation impl(o.impl, o.timeout, o.startup_timeout);
    const bool progress = isatty(STDERR_FILENO);
    // op -> passed, failed, unsupported, not judged, incomplete (the order of Outcome::Kind)
    std::map<std::string, std::array<int, 5>> table;
    std::vector<std::string> reports[5];  // per kind, "file: detail"; kept for failed, not judged and incomplete
    bool stopped = false;
    for (std::size_t i = 0; i < files.size() && !stopped; ++i) {
        if (progress) std::cerr << "\rsuite: " << i + 1 << "/" << files.size() << ' ' << std::flush;
        json doc;
        Evaluation e;
        Outcome outcome;
        std::string op;
        try {
            doc = read_json_file(files[i].string(), false);
            e = evaluate_case(doc, files[i].string());
            op = doc["op"].get<std::string>();
            outcome = judge_case(impl, doc, e, p, required);
        } catch (const Error& err) {  // one bad file is one failed row, not the end of the run
            if (!op.empty()) throw;   // not the file: the implementation could not be run at all
            op = "(invalid case file)";
            outcome = {Outcome::failed, std::string("invalid case: ") + err.what()};
        }
        table[op][outcome.kind]++;
        reports[outcome.kind].push_back(files[i].string() + ": " + outcome.detail);
        stopped = o.exitfirst && outcome.kind == Outcome::failed;
    }
    if (progress) std::cerr << '\n';
    std::cout << "suite " << o.dir << " against `" << o.impl << "` in " << o.dtype << "\n\n"
              << std::left << std::setw(24) << "op" << std::right << std::setw(8) << "passed" << std::setw(8) << "failed"
              << std::setw(13) << "unsupported" << std::setw(12) << "not judged" << std::setw(12) << "incomplete" << '\n';
    const int widths[5] = {8, 8, 13, 12, 12};
    std::array<int, 5> total{};
    for (const auto& [op, counts] : table) {
        std::cout << std::left << std::setw(24) << op << std::right;
        for (int k = 0; k < 5; ++k) std::cout << std::setw(widths[k]) << counts[k], total[k] += counts[k];
        std::cout << '\n';
    }
    const std::pair<Outcome::Kind, const char*> listed[] = {
        {Outcome::failed, "FAILED"}, {Outcome::incomplete, "INCOMPLETE"}, {Outcome::not_judged, "NOT JUDGED"}};
    bool any = false;
    for (const auto& [kind, label] : listed)
        for (const std::string& line : reports[kind]) std::cout << "\n" << label << ' ' << line, any = true;
    std::cout << (any ? "\n" : "") << '\n'
              << total[0] << " passed, " << total[1] << " failed, " << total[2] << " unsupported, " << total[3]
              << " not judged, " << total[4] << " incomplete";
    if (stopped) std::cout << " (stopped at the first failure, -x: " << files.size() - (total[0] + total[1] + total[2] + total[3] + total[4]) << " cases not run)";
    std::cout << '\n';
    if (total[1] > 0) return 1;
    if (total[4] > 0) {  // right where it answered, but it left required outputs out: not a pass
        std::cout << "answers left required outputs out (--require " << o.require << "): exit status 5\n";
        return 5;
    }
    if (total[0] == 0) {  // every case unsupported or not judged: that is no pass
        std::cout << "nothing was judged: exit status 4\n";
        return 4;
    }
    return 0;
}

}  // namespace cnnbp::cli
