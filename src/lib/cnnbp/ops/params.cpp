#include "cnnbp/ops/params.hpp"

#include "cnnbp/core/error.hpp"

#include <set>

namespace cnnbp {

using json = nlohmann::ordered_json;

void ParamReader::allow(std::initializer_list<const char*> names) const {
    const std::set<std::string> allowed(names.begin(), names.end());
    for (const auto& [key, value] : params.items())
        if (!allowed.count(key)) {
            std::string list;
            for (const char* n : names) list += std::string(list.empty() ? "" : ", ") + n;
            fail(prefix, ".", key, " is not a parameter of ", op,
                 list.empty() ? std::string(" (it has none)") : " (" + list + ")");
        }
}

int ParamReader::integer_at(const json& j, const std::string& where, int least) const {
    if (!j.is_number_integer()) fail(where, " must be an integer, got ", j.dump());
    if (j.is_number_unsigned() && j.get<unsigned long long>() > 1000000ULL)  // 2^64-1 must not read as -1
        fail(where, " must be between ", least, " and 1000000, got ", j.get<unsigned long long>());
    const long long v = j.get<long long>();
    if (v < least || v > 1000000) fail(where, " must be between ", least, " and 1000000, got ", v);
    return static_cast<int>(v);
}

int ParamReader::integer(const std::string& key, int fallback, int least) const {
    return has(key) ? integer_at(params[key], prefix + "." + key, least) : fallback;
}

std::pair<int, int> ParamReader::pair(const std::string& key, std::pair<int, int> fallback, int least) const {
    if (!has(key)) return fallback;
    const json& j = params[key];
    const std::string where = prefix + "." + key;
    if (j.is_array()) {
        if (j.size() != 2) fail(where, " must be an integer or [h, w], got ", j.dump());
        return {integer_at(j[0], where + "[0]", least), integer_at(j[1], where + "[1]", least)};
    }
    const int v = integer_at(j, where, least);
    return {v, v};
}

bool ParamReader::boolean(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!params[key].is_boolean()) fail(prefix, ".", key, " must be true or false, got ", params[key].dump());
    return params[key].get<bool>();
}

Padding ParamReader::padding(const std::string& key) const {
    if (!has(key)) return {};
    const json& j = params[key];
    const std::string where = prefix + "." + key;
    if (j.is_object()) {
        for (const auto& [side, v] : j.items())
            if (side != "top" && side != "bottom" && side != "left" && side != "right")
                fail(where, ".", side, " is not a side (top, bottom, left, right)");
        auto side = [&](const char* s) { return j.contains(s) ? integer_at(j[s], where + "." + s, 0) : 0; };
        return {side("top"), side("bottom"), side("left"), side("right")};
    }
    return Padding::all(integer_at(j, where, 0));
}

json pair_json(int h, int w) { return json::array({h, w}); }

json padding_json(const Padding& p) {
    return {{"top", p.top}, {"bottom", p.bottom}, {"left", p.left}, {"right", p.right}};
}

}  // namespace cnnbp
