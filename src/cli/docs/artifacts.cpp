#include "artifacts.hpp"

#include "cnnbp/core/error.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>

namespace cnnbp::cli {

int run_artifacts(const std::vector<Artifact>& artifacts, const std::vector<std::string>& names, bool all, bool list,
                  const std::string& out_dir, const std::string& extension, std::ostream& out) {
    static const std::regex valid_name("[a-z0-9_-]+");
    std::set<std::string> seen;
    for (const Artifact& a : artifacts) {
        if (!std::regex_match(a.name, valid_name) || !seen.insert(a.name).second)
            throw std::logic_error("artifact name '" + a.name + "' is invalid or repeated");
    }
    if (list) {
        for (const Artifact& a : artifacts) out << a.name << "  " << a.summary << '\n';
        return 0;
    }
    std::vector<const Artifact*> chosen;
    if (all) {
        for (const Artifact& a : artifacts) chosen.push_back(&a);
    } else {
        for (const std::string& name : names) {
            const Artifact* found = nullptr;
            for (const Artifact& a : artifacts)
                if (a.name == name) found = &a;
            if (!found) {
                std::string known;
                for (const Artifact& a : artifacts) known += (known.empty() ? "" : ", ") + a.name;
                throw Error("unknown name '" + name + "'; the known ones (--list): " + known);
            }
            chosen.push_back(found);
        }
    }
    if (chosen.empty() && !all) throw Error("give a NAME, --all or --list");
    if (out_dir.empty()) {
        if (chosen.size() != 1) throw Error("several names need -o DIR (one file each)");
        out << chosen.front()->write();
        return 0;
    }
    std::filesystem::create_directories(out_dir);
    for (const Artifact* a : chosen) {
        const std::string path = out_dir + "/" + a->name + "." + extension;
        std::ofstream file(path, std::ios::binary);
        file << a->write();
        if (!file) throw Error("cannot write " + path);
    }
    return 0;
}

}  // namespace cnnbp::cli
