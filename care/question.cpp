#include "care/question.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace hearth::care {
namespace {

constexpr std::array<std::string_view, 21> kYes = {"好", "好的", "好啊", "好吧", "可以", "行", "嗯", "要", "是", "是的", "放吧",
                                                   "yes", "yes please", "ok", "okay", "sure", "yeah", "please", "go ahead",
                                                   "好的谢谢", "好，谢谢"};
constexpr std::array<std::string_view, 18> kNo = {"不用了", "不用", "不要", "不了", "不", "算了", "不用了谢谢", "不用，谢谢",
                                                  "不需要", "no", "not now", "no thanks", "no thank you", "nope", "stop",
                                                  "not tonight", "later", "别"};

/// Trailing punctuation: ASCII, and the full-width marks as UTF-8.
bool strip_punctuation(std::string& s) {
    for (const std::string_view mark : {"。", "！", "？", "，", "～", "~", "!", "?", ".", ","}) {
        if (s.size() >= mark.size() && s.compare(s.size() - mark.size(), mark.size(), mark) == 0) {
            s.resize(s.size() - mark.size());
            return true;
        }
    }
    return false;
}

std::string normalised(std::string_view text) {
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c); });
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    s = s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
    while (strip_punctuation(s)) {
        const auto last = s.find_last_not_of(" \t\r\n");
        s.resize(last == std::string::npos ? 0 : last + 1);
    }
    return s;
}

}  // namespace

std::string_view to_string(Reply reply) noexcept {
    switch (reply) {
        case Reply::yes: return "yes";
        case Reply::no: return "no";
        case Reply::unclear: return "unclear";
    }
    return "unclear";
}

Reply reply_to_question(std::string_view utterance) {
    if (utterance.size() > 200) return Reply::unclear;
    const auto s = normalised(utterance);
    if (std::find(kYes.begin(), kYes.end(), s) != kYes.end()) return Reply::yes;
    if (std::find(kNo.begin(), kNo.end(), s) != kNo.end()) return Reply::no;
    return Reply::unclear;
}

}  // namespace hearth::care
