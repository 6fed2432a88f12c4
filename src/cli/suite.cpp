#include "suite.hpp"

#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <unistd.h>

namespace cnnbp::cli {

using json = nlohmann::ordered_json;

Outcome judge_case(Implementation& impl, const json& doc, const Evaluation& e, const Precision& p) {
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
        if (!v.not_judged.empty()) return {Outcome::not_judged, v.not_judged};
        return {Outcome::passed, ""};
    } catch (const Error& err) {
        return {Outcome::failed, err.what()};  // a wrong shape or an unknown key in the answer
    }
}

int run_suite(const std::string& dir, const std::string& command, const std::string& dtype, double timeout,
              double startup_timeout) {
    const Precision p = precision(dtype);
    if (!std::filesystem::is_directory(dir)) fail(dir, ": not a folder of case files");
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) fail(dir, ": no .json case files");
    Implementation impl(command, timeout, startup_timeout);
    const bool progress = isatty(STDERR_FILENO);
    std::map<std::string, std::array<int, 4>> table;  // op -> passed, failed, unsupported, not judged
    std::vector<std::string> failures, unjudged;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (progress) std::cerr << "\rsuite: " << i + 1 << "/" << files.size() << ' ' << std::flush;
        json doc;
        Evaluation e;
        try {
            doc = read_json_file(files[i].string(), false);
            e = evaluate_case(doc, files[i].string());
        } catch (const Error& err) {  // one bad file is one failed row, not the end of the run
            table["(invalid case file)"][Outcome::failed]++;
            failures.push_back(files[i].string() + ": invalid case: " + err.what());
            continue;
        }
        const Outcome o = judge_case(impl, doc, e, p);
        table[doc["op"].get<std::string>()][o.kind]++;
        if (o.kind == Outcome::failed) failures.push_back(files[i].string() + ": " + o.detail);
        if (o.kind == Outcome::not_judged) unjudged.push_back(files[i].string() + ": " + o.detail);
    }
    if (progress) std::cerr << '\n';
    std::cout << "suite " << dir << " against `" << command << "` in " << dtype << "\n\n"
              << std::left << std::setw(24) << "op" << std::right << std::setw(8) << "passed" << std::setw(8) << "failed"
              << std::setw(13) << "unsupported" << std::setw(12) << "not judged" << '\n';
    std::array<int, 4> total{};
    for (const auto& [op, counts] : table) {
        std::cout << std::left << std::setw(24) << op << std::right;
        for (int k = 0; k < 4; ++k) std::cout << std::setw(k == 0 || k == 1 ? 8 : (k == 2 ? 13 : 12)) << counts[k], total[k] += counts[k];
        std::cout << '\n';
    }
    for (const std::string& f : failures) std::cout << "\nFAILED " << f;
    for (const std::string& f : unjudged) std::cout << "\nNOT JUDGED " << f;
    std::cout << (failures.empty() && unjudged.empty() ? "" : "\n") << '\n'
              << total[0] << " passed, " << total[1] << " failed, " << total[2] << " unsupported, " << total[3] << " not judged\n";
    if (total[1] > 0) return 1;
    if (total[0] == 0) {  // every case unsupported or not judged: that is no pass
        std::cout << "nothing was judged: exit status 4\n";
        return 4;
    }
    return 0;
}

}  // namespace cnnbp::cli
