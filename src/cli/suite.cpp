#include "suite.hpp"

#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"
#include "oracle_commands.hpp"
#include "workers.hpp"

#include <algorithm>
#include <array>
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
    json request = canonical_case(doc);  // every parameter in full: no implementation needs to normalise them
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
                   << t.expected << " (|difference| " << std::setprecision(3) << t.difference << " > bound " << t.bound
                   << (t.tight ? (t.beyond_certain ? ", tight; beyond the certain bound too" : ", tight; within the certain bound")
                               : "")
                   << ")";
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

std::string invoked_as = "cnnbp";

std::string reproduce_command(const std::string& file, const std::string& impl, const std::string& dtype,
                              const std::string& require, const std::string& accumulate) {
    const bool plain = invoked_as.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") ==
                       std::string::npos;
    return (plain ? invoked_as : shell_quote(invoked_as)) + " suite " + shell_quote(file) + " --impl " + shell_quote(impl) +
           (dtype == "float64" ? "" : " --dtype " + dtype) + (accumulate.empty() ? "" : " --accumulate " + accumulate) +
           (require == "all" ? "" : " --require " + require);
}

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

namespace {

// One case of a suite run: its op ("" when --op filtered it out) and what became of it.
struct CaseRun {
    std::string op;
    Outcome outcome;
};

const char* const kind_names[] = {"passed", "failed", "unsupported", "not judged", "incomplete"};

std::string xml_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';  // not allowed in XML 1.0
            else out += c;
        }
    }
    return out;
}

// JUnit XML, as CI systems read it: a failure or an incomplete answer is a <failure>, unsupported and not judged are
// <skipped>, each case a <testcase> named by its file, classed by its op.
std::string junit_xml(const std::vector<std::filesystem::path>& files, const std::vector<CaseRun>& runs, std::size_t ran,
                      const std::array<int, 5>& total) {
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"cnnbp suite\" tests=\""
      << total[0] + total[1] + total[2] + total[3] + total[4] << "\" failures=\"" << total[1] + total[4]
      << "\" skipped=\"" << total[2] + total[3] << "\" errors=\"0\">\n";
    for (std::size_t i = 0; i < ran; ++i) {
        if (runs[i].op.empty()) continue;
        const Outcome& o = runs[i].outcome;
        x << "    <testcase classname=\"" << xml_escape(runs[i].op) << "\" name=\"" << xml_escape(files[i].stem().string()) << "\"";
        if (o.kind == Outcome::passed) {
            x << "/>\n";
            continue;
        }
        const bool failure = o.kind == Outcome::failed || o.kind == Outcome::incomplete;
        x << ">\n      <" << (failure ? "failure" : "skipped") << " type=\"" << kind_names[o.kind] << "\" message=\""
          << xml_escape(o.detail) << "\"/>\n    </testcase>\n";
    }
    x << "  </testsuite>\n</testsuites>\n";
    return x.str();
}

}  // namespace

int run_suite(const SuiteOptions& o) {
    const Precision p = precision(o.dtype, o.bound, o.accumulate);
    const Requirement required = parse_requirement(o.require);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_regular_file(o.dir)) {
        files.push_back(o.dir);  // one case: how a failure is reproduced
    } else {
        if (!std::filesystem::is_directory(o.dir)) fail(o.dir, ": not a folder of case files, nor a case file");
        for (const auto& entry : std::filesystem::directory_iterator(o.dir)) {
            const std::string stem = entry.path().stem().string();
            const bool named = o.keywords.empty() || std::any_of(o.keywords.begin(), o.keywords.end(), [&](const std::string& k) {
                                   return stem.find(k) != std::string::npos;
                               });
            if (entry.path().extension() == ".json" && named) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) fail(o.dir, ": no .json case files", o.keywords.empty() ? "" : " whose name holds a -k word");
    }
    for (const std::string& op : o.ops) find_op(op, "--op");
    auto impls = start_implementations(o.impl, o.jobs, o.timeout, o.startup_timeout);
    const bool progress = isatty(STDERR_FILENO) && !o.as_json;
    std::vector<CaseRun> runs(files.size());
    CaseQueue queue(files.size());
    std::mutex results;  // runs[] and the progress count
    std::size_t finished = 0;
    on_each(impls, [&](Implementation& impl) {
        while (const auto i = queue.take()) {
            CaseRun run;
            try {
                json doc = read_json_file(files[*i].string(), false);
                const bool wanted = o.ops.empty() || !doc.is_object() || !doc.contains("op") || !doc["op"].is_string() ||
                                    std::find(o.ops.begin(), o.ops.end(), doc["op"].get<std::string>()) != o.ops.end();
                if (wanted) {  // a case of another op is not evaluated at all
                    inline_npy(doc, files[*i].string(), false);  // the protocol sends a case as one line, tensors in it
                    const Evaluation e = evaluate_case(doc, files[*i].string());
                    run.op = doc["op"].get<std::string>();
                    run.outcome = judge_case(impl, doc, e, p, required);
                }
            } catch (const Error& err) {  // one bad file is one failed row, not the end of the run
                if (!run.op.empty()) throw;  // not the file: the implementation could not be run at all
                run = {"(invalid case file)", {Outcome::failed, std::string("invalid case: ") + err.what()}};
            }
            std::lock_guard<std::mutex> hold(results);
            runs[*i] = std::move(run);
            if (o.exitfirst && runs[*i].outcome.kind == Outcome::failed && !runs[*i].op.empty()) queue.stop();
            if (progress) std::cerr << "\rsuite: " << ++finished << "/" << files.size() << ' ' << std::flush;
        }
    }, [&] { queue.stop(); });
    if (progress) std::cerr << '\n';
    // Every number below the largest taken was taken and finished; with -x, report up to the first failure only,
    // as a run with one implementation would have stopped there.
    std::size_t ran = files.size();
    bool stopped = false;
    if (o.exitfirst)
        for (std::size_t i = 0; i < files.size(); ++i)
            if (!runs[i].op.empty() && runs[i].outcome.kind == Outcome::failed) {
                ran = i + 1, stopped = ran < files.size();
                break;
            }
    std::map<std::string, std::array<int, 5>> table;  // op -> counts, in the order of Outcome::Kind
    std::array<int, 5> total{};
    for (std::size_t i = 0; i < ran; ++i)
        if (!runs[i].op.empty()) table[runs[i].op][runs[i].outcome.kind]++, total[runs[i].outcome.kind]++;
    const int judged = total[0] + total[1] + total[2] + total[3] + total[4];
    if (judged == 0) fail(o.dir, ": no case of ", o.ops.empty() ? "any op" : "the ops given by --op", " to run");
    const int status = total[1] > 0 ? 1 : total[4] > 0 ? 5 : total[0] == 0 ? 4 : 0;
    if (!o.junitxml.empty()) write_text_file(o.junitxml, junit_xml(files, runs, ran, total));
    if (o.as_json) {
        json report = {{"dir", o.dir}, {"impl", o.impl}, {"dtype", o.dtype}, {"accumulate", p.accumulate}, {"require", o.require}, {"cases", json::array()}};
        for (std::size_t i = 0; i < ran; ++i) {
            if (runs[i].op.empty()) continue;
            json c = {{"file", files[i].string()}, {"op", runs[i].op}, {"outcome", kind_names[runs[i].outcome.kind]}};
            if (!runs[i].outcome.detail.empty()) c["detail"] = runs[i].outcome.detail;
            if (runs[i].outcome.kind != Outcome::passed) c["reproduce"] = reproduce_command(files[i].string(), o.impl, o.dtype, o.require, o.accumulate);
            report["cases"].push_back(c);
        }
        for (int k = 0; k < 5; ++k) report["totals"][kind_names[k]] = total[k];
        report["not_run"] = files.size() - ran;
        report["exit_status"] = status;
        report["meaning"] = exit_meaning(status);
        std::cout << report.dump(2) << '\n';
        return status;
    }
    std::cout << "suite " << o.dir << " against `" << o.impl << "` in " << o.dtype << (p.accumulate != p.dtype ? " (accumulated in " + p.accumulate + ")" : "") << "\n\n"
              << std::left << std::setw(24) << "op" << std::right << std::setw(8) << "passed" << std::setw(8) << "failed"
              << std::setw(13) << "unsupported" << std::setw(12) << "not judged" << std::setw(12) << "incomplete" << '\n';
    const int widths[5] = {8, 8, 13, 12, 12};
    for (const auto& [op, counts] : table) {
        std::cout << std::left << std::setw(24) << op << std::right;
        for (int k = 0; k < 5; ++k) std::cout << std::setw(widths[k]) << counts[k];
        std::cout << '\n';
    }
    const std::pair<Outcome::Kind, const char*> listed[] = {
        {Outcome::failed, "FAILED"}, {Outcome::incomplete, "INCOMPLETE"}, {Outcome::not_judged, "NOT JUDGED"}};
    bool any = false;
    for (const auto& [kind, label] : listed)
        for (std::size_t i = 0; i < ran; ++i)
            if (!runs[i].op.empty() && runs[i].outcome.kind == kind) {
                std::cout << "\n" << label << ' ' << files[i].string() << ": " << runs[i].outcome.detail;
                if (kind != Outcome::not_judged) std::cout << "\n  reproduce: " << reproduce_command(files[i].string(), o.impl, o.dtype, o.require, o.accumulate);
                any = true;
            }
    std::cout << (any ? "\n" : "") << '\n'
              << total[0] << " passed, " << total[1] << " failed, " << total[2] << " unsupported, " << total[3]
              << " not judged, " << total[4] << " incomplete";
    if (stopped) std::cout << " (stopped at the first failure, -x: " << files.size() - ran << " cases not run)";
    std::cout << '\n';
    if (status == 5) std::cout << "answers left required outputs out (--require " << o.require << "): exit status 5\n";
    if (status == 4) std::cout << "nothing was judged: exit status 4\n";
    return status;
}

}  // namespace cnnbp::cli
