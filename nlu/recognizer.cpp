#include "nlu/recognizer.hpp"

#include "nlu/clauses.hpp"
#include "nlu/frame.hpp"
#include "nlu/interpreter.hpp"
#include "nlu/lexicon.hpp"
#include "nlu/speech.hpp"

namespace hearth::nlu {
namespace {

std::string drop_prefix(std::string s, std::string_view prefix) {
    if (s.starts_with(prefix) && s.size() > prefix.size()) s.erase(0, prefix.size());
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

// One reply for several parts: the parts' speech in order; a part that was unclear says which.
Understanding combine(std::vector<Understanding> parts, const Text& text, const std::string& context_id) {
    Understanding out;
    out.language = text.language;
    out.context_id = context_id;
    const bool zh = text.language == Language::zh;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        auto& p = parts[i];
        if (p.outcome == Outcome::undo || (p.outcome == Outcome::custom && !p.scene)) {
            // Undo and user rules act only as requests of their own: they would act on a home the
            // other parts are still changing.
            p.outcome = Outcome::failed;
            p.speech = zh ? "这一句请单独说，我才会执行。" : "Say that on its own and I will do it.";
        }
        out.understood = out.understood || p.understood;
        if (!out.intent && p.understood && p.intent) {
            out.intent = p.intent;
            out.outcome = p.outcome;
        }
        if (!out.scene && p.scene) out.scene = p.scene;
        if (!out.rule && p.rule) out.rule = p.rule;
        if (p.outcome == Outcome::command) out.commands.insert(out.commands.end(), p.commands.begin(), p.commands.end());
        out.targets.insert(out.targets.end(), p.targets.begin(), p.targets.end());
        std::string said = p.speech;
        if (i > 0) said = drop_prefix(drop_prefix(std::move(said), "好的，"), "OK, ");
        if (p.outcome == Outcome::clarify || p.outcome == Outcome::not_understood || p.outcome == Outcome::failed)
            said = zh ? "关于“" + p.text + "”：" + said : "About \"" + p.text + "\": " + said;
        if (!out.speech.empty() && !zh) out.speech += ' ';
        out.speech += said;
    }
    if (!out.intent) out.outcome = parts.front().outcome;
    out.parts = std::move(parts);
    return out;
}

}  // namespace

Recognizer::Recognizer(const devices::Registry& registry, Vocabulary vocabulary, const TextNormalizer& normalizer)
    : vocabulary_(std::move(vocabulary)), normalizer_(&normalizer) {
    rebuild(registry);
}

Recognizer::~Recognizer() = default;
Recognizer::Recognizer(Recognizer&&) noexcept = default;
Recognizer& Recognizer::operator=(Recognizer&&) noexcept = default;

void Recognizer::rebuild(const devices::Registry& registry) {
    lexicon_ = std::make_unique<Lexicon>(registry, vocabulary_, *normalizer_);
}

void Recognizer::set_vocabulary(const devices::Registry& registry, Vocabulary vocabulary) {
    vocabulary_ = std::move(vocabulary);
    rebuild(registry);
}

Understanding Recognizer::recognize_one(const Text& text, std::vector<Mention> mentions, const Request& request,
                                        const devices::Registry& registry) const {
    if (auto custom = lexicon_->match_sentence(text, vocabulary_)) {
        custom->context_id = request.context_id;
        custom->speech = Speech(text.language).custom();
        return std::move(*custom);
    }
    Frame frame = make_frame(text, std::move(mentions));
    settle_names(frame, registry);
    return Interpreter(frame, request, registry, vocabulary_).interpret();
}

Understanding Recognizer::recognize(const Request& request, const devices::Registry& registry) const {
    if (request.text.size() > kMaxUtteranceBytes) {
        Understanding u;
        u.context_id = request.context_id;
        u.speech = Speech(Language::en).too_long();
        return u;
    }
    const Text text = normalizer_->normalize(request.text);
    auto mentions = lexicon_->spot(text);
    const auto ranges = split_clauses(text, mentions);
    if (ranges.size() < 2 || lexicon_->match_sentence(text, vocabulary_)) {
        auto u = recognize_one(text, std::move(mentions), request, registry);
        u.script = text.script;
        if (text.language == Language::zh && text.script == Script::hant) u.speech = normalizer_->to_traditional(u.speech);
        return u;
    }
    std::vector<Understanding> parts;
    auto area = request.area;
    std::vector<proto::DeviceId> focus;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto [begin, end] = ranges[i];
        Text part;
        part.units.assign(text.units.begin() + static_cast<std::ptrdiff_t>(begin),
                          text.units.begin() + static_cast<std::ptrdiff_t>(end));
        part.language = text.language;
        part.script = text.script;
        part.question_mark = text.question_mark && i + 1 == ranges.size();
        auto spotted = lexicon_->spot(part);
        if (i > 0) keep_states(spotted, part);
        // A part that names no area means the previous part's ("把客厅的灯打开然后调暗").
        for (const auto& m : spotted)
            if (!m.is_number && m.kind == EntryKind::area) {
                area = proto::AreaId(m.entries.front()->target);
                break;
            }
        parts.push_back(recognize_one(part, std::move(spotted), {request.text, area, request.context_id, focus}, registry));
        parts.back().text = TextNormalizer::join(part.units, 0, part.units.size());
        if (parts.back().outcome == Outcome::command && !parts.back().commands.empty()) {
            focus.clear();
            for (const auto& c : parts.back().commands) focus.push_back(c.device);
        }
    }
    auto u = combine(std::move(parts), text, request.context_id);
    u.script = text.script;
    if (text.language == Language::zh && text.script == Script::hant) {
        u.speech = normalizer_->to_traditional(u.speech);
        for (auto& p : u.parts) {
            p.script = Script::hant;
            p.speech = normalizer_->to_traditional(p.speech);
            p.text = normalizer_->to_traditional(p.text);
        }
    }
    return u;
}

}  // namespace hearth::nlu
