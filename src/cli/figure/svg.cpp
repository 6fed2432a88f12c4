#include "svg.hpp"

#include <cmath>
#include <cstdio>

namespace cnnbp::cli::svg {

std::string num(double x, int digits) {
    if (std::abs(x) < 5e-5) return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    return buf;
}

std::string escape(const std::string& text) {
    std::string out;
    for (char ch : text) {
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += ch;
        }
    }
    return out;
}

namespace {

// Coordinates with two decimals at most, so that the bytes never depend on rounding noise.
std::string at(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", x);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string tail(const std::string& attrs) { return attrs.empty() || attrs[0] == ' ' ? attrs : " " + attrs; }

}  // namespace

Figure::Figure(double width, double height, const std::string& title) : width_(width), height_(height), title_(title) {}

void Figure::rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke,
                  const std::string& attrs) {
    body_ += "<rect x=\"" + at(x) + "\" y=\"" + at(y) + "\" width=\"" + at(w) + "\" height=\"" + at(h) + "\" fill=\"" +
             fill + "\" stroke=\"" + stroke + "\"" + tail(attrs) + "/>\n";
}

void Figure::line(double x1, double y1, double x2, double y2, const std::string& stroke, bool arrow,
                  const std::string& attrs) {
    body_ += "<line x1=\"" + at(x1) + "\" y1=\"" + at(y1) + "\" x2=\"" + at(x2) + "\" y2=\"" + at(y2) +
             "\" stroke=\"" + stroke + "\"" + (arrow ? " marker-end=\"url(#arrow)\"" : "") + tail(attrs) + "/>\n";
}

void Figure::circle(double cx, double cy, double r, const std::string& fill, const std::string& stroke,
                    const std::string& attrs) {
    body_ += "<circle cx=\"" + at(cx) + "\" cy=\"" + at(cy) + "\" r=\"" + at(r) + "\" fill=\"" + fill +
             "\" stroke=\"" + stroke + "\"" + tail(attrs) + "/>\n";
}

void Figure::text(double x, double y, const std::string& text, double size, const std::string& anchor,
                  const std::string& attrs) {
    body_ += "<text x=\"" + at(x) + "\" y=\"" + at(y) + "\" font-size=\"" + at(size) + "\" text-anchor=\"" + anchor +
             "\" dominant-baseline=\"central\"" + tail(attrs) + ">" + escape(text) + "</text>\n";
}

void Figure::grid(double x, double y, int rows, int cols, double cell, const std::function<Cell(int, int)>& what,
                  double size) {
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const Cell k = what(r, c);
            rect(x + c * cell, y + r * cell, cell, cell, k.fill, "#000", k.attrs);
            if (!k.label.empty()) text(x + (c + 0.5) * cell, y + (r + 0.5) * cell, k.label, size);
        }
}

void Figure::open(const std::string& attrs) { body_ += "<g" + tail(attrs) + ">\n"; }
void Figure::close() { body_ += "</g>\n"; }

std::string Figure::str() const {
    const std::string w = at(width_), h = at(height_);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w +
           " " + h + "\" font-family=\"sans-serif\" role=\"img\">\n"
           "<title>" + escape(title_) + "</title>\n"
           "<defs>\n"
           "<pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
           "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#F2F2F2\"/>"
           "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888888\" stroke-width=\"2\"/></pattern>\n"
           "<pattern id=\"dots\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
           "<rect width=\"6\" height=\"6\" fill=\"#FFFFFF\"/><circle cx=\"3\" cy=\"3\" r=\"1\" fill=\"#999999\"/>"
           "</pattern>\n"
           "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
           "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333333\"/></marker>\n"
           "</defs>\n"
           "<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n" +
           body_ + "</svg>\n";
}

}  // namespace cnnbp::cli::svg
