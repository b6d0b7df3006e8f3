#include "nlu/lexicon.hpp"

#include <algorithm>
#include <array>

namespace hearth::nlu {
namespace {

struct CueWord {
    std::string_view text;
    Cue cue;
    int detail = 0;
};

constexpr std::array<std::string_view, 9> kColors = {"red", "green", "blue", "white", "yellow",
                                                      "purple", "orange", "pink", "warm_white"};

// Both languages in one table: the normaliser decides the units, so Chinese and English entries
// never collide.
const std::vector<CueWord>& cue_words() {
    static const std::vector<CueWord> words = {
        // Actions.
        {"打开", Cue::on}, {"开启", Cue::on}, {"开", Cue::on}, {"启动", Cue::on}, {"激活", Cue::on},
        {"运行", Cue::on}, {"切换到", Cue::on}, {"切换成", Cue::on}, {"执行", Cue::on},
        {"开开", Cue::on}, {"亮起来", Cue::on}, {"开始", Cue::on}, {"拉开", Cue::on},
        {"turn on", Cue::on}, {"activate", Cue::on}, {"open", Cue::on},
        {"start", Cue::on}, {"enable", Cue::on}, {"run", Cue::on}, {"light up", Cue::on, 1},
        {"light it up", Cue::on, 1}, {"illuminate", Cue::on, 1}, {"点亮", Cue::on, 1}, {"power on", Cue::on}, {"on", Cue::on}, {"transition to", Cue::on},
        {"change to", Cue::on},
        {"关闭", Cue::off}, {"关掉", Cue::off}, {"关上", Cue::off}, {"关", Cue::off}, {"熄灭", Cue::off},
        {"关了", Cue::off}, {"拉上", Cue::off}, {"合上", Cue::off},
        {"turn off", Cue::off}, {"deactivate", Cue::off}, {"close", Cue::off},
        {"shut", Cue::off}, {"disable", Cue::off}, {"off", Cue::off}, {"shut off", Cue::off},
        {"power off", Cue::off}, {"out", Cue::off},
        {"上锁", Cue::lock}, {"锁上", Cue::lock}, {"锁门", Cue::lock}, {"锁好", Cue::lock},
        {"解锁", Cue::unlock}, {"开锁", Cue::unlock}, {"unlock", Cue::unlock},
        {"设置", Cue::set}, {"设定", Cue::set}, {"设为", Cue::set}, {"设成", Cue::set}, {"调到", Cue::set},
        {"调为", Cue::set}, {"调成", Cue::set}, {"调节", Cue::set}, {"调整", Cue::set}, {"调", Cue::set},
        {"改成", Cue::set}, {"改为", Cue::set}, {"变成", Cue::set}, {"设", Cue::set}, {"到", Cue::set},
        {"为", Cue::set}, {"调至", Cue::set}, {"设置为", Cue::set}, {"设置到", Cue::set},
        {"set", Cue::set}, {"change", Cue::set}, {"make", Cue::set}, {"adjust", Cue::set}, {"to", Cue::set},
        {"调高", Cue::up}, {"升高", Cue::up}, {"提高", Cue::up}, {"加大", Cue::up}, {"调大", Cue::up},
        {"增加", Cue::up}, {"高一点", Cue::up}, {"大一点", Cue::up}, {"高一些", Cue::up}, {"大一些", Cue::up},
        {"开大", Cue::up}, {"升", Cue::up},
        {"increase", Cue::up}, {"raise", Cue::up}, {"turn up", Cue::up}, {"higher", Cue::up}, {"up", Cue::up},
        {"调低", Cue::down}, {"降低", Cue::down}, {"减小", Cue::down}, {"调小", Cue::down}, {"减少", Cue::down},
        {"低一点", Cue::down}, {"小一点", Cue::down}, {"低一些", Cue::down}, {"小一些", Cue::down},
        {"关小", Cue::down}, {"降", Cue::down},
        {"decrease", Cue::down}, {"lower", Cue::down}, {"reduce", Cue::down}, {"turn down", Cue::down},
        {"down", Cue::down},
        {"调亮", Cue::brighter}, {"亮一点", Cue::brighter}, {"亮一些", Cue::brighter}, {"更亮", Cue::brighter},
        {"再亮", Cue::brighter}, {"变亮", Cue::brighter}, {"亮点", Cue::brighter}, {"亮些", Cue::brighter},
        {"brighter", Cue::brighter}, {"brighten", Cue::brighter},
        {"调暗", Cue::dimmer}, {"暗一点", Cue::dimmer}, {"暗一些", Cue::dimmer}, {"更暗", Cue::dimmer},
        {"变暗", Cue::dimmer}, {"暗点", Cue::dimmer}, {"暗些", Cue::dimmer},
        {"dimmer", Cue::dimmer}, {"dim", Cue::dimmer}, {"darker", Cue::dimmer},
        {"暖和一点", Cue::warmer}, {"热一点", Cue::warmer}, {"暖一点", Cue::warmer}, {"调暖", Cue::warmer},
        {"warmer", Cue::warmer},
        {"凉快一点", Cue::cooler}, {"冷一点", Cue::cooler}, {"凉一点", Cue::cooler}, {"凉快点", Cue::cooler},
        {"cooler", Cue::cooler}, {"colder", Cue::cooler},
        {"大声一点", Cue::louder}, {"大声点", Cue::louder}, {"大声", Cue::louder}, {"响一点", Cue::louder},
        {"louder", Cue::louder},
        {"小声一点", Cue::quieter}, {"小声点", Cue::quieter}, {"小声", Cue::quieter}, {"轻一点", Cue::quieter},
        {"quieter", Cue::quieter}, {"softer", Cue::quieter},
        // Questions.
        {"吗", Cue::query}, {"是不是", Cue::query}, {"多少", Cue::query}, 
        
        {"是否", Cue::query}, {"什么", Cue::query},
        {"怎么样", Cue::query}, {"不", Cue::negation}, {"么", Cue::query}, {"几", Cue::query},
        {"what", Cue::query}, {"whats", Cue::query}, {"is", Cue::query}, {"are", Cue::query},
        {"how", Cue::query}, {"tell me", Cue::query},
        {"where", Cue::query}, {"who", Cue::query}, {"when", Cue::query}, {"does", Cue::query},
        {"制冷", Cue::hvac_mode, 1}, {"冷风", Cue::hvac_mode, 1}, {"cooling", Cue::hvac_mode, 1},
        {"cool mode", Cue::hvac_mode, 1}, {"制热", Cue::hvac_mode, 2}, {"暖风", Cue::hvac_mode, 2},
        {"heat mode", Cue::hvac_mode, 2}, {"除湿", Cue::hvac_mode, 3}, {"dehumidify", Cue::hvac_mode, 3},
        {"dry mode", Cue::hvac_mode, 3}, {"送风", Cue::hvac_mode, 4}, {"fan only", Cue::hvac_mode, 4},
        {"自动模式", Cue::hvac_mode, 5}, {"auto mode", Cue::hvac_mode, 5},
        {"湿度", Cue::reading, 1}, {"humidity", Cue::reading, 1}, {"pm2.5", Cue::reading, 2},
        {"空气质量", Cue::reading, 2}, {"air quality", Cue::reading, 2}, {"光照", Cue::reading, 3},
        {"照度", Cue::reading, 3}, {"illuminance", Cue::reading, 3}, {"电量", Cue::reading, 4},
        {"battery", Cue::reading, 4}, {"功率", Cue::reading, 5}, {"power", Cue::reading, 5},
        {"一半", Cue::half}, {"halfway", Cue::half}, {"half", Cue::half},
        {"stop the music", Cue::pause}, {"stop music", Cue::pause}, {"stop playing", Cue::pause},
        {"play music", Cue::unpause}, {"播放音乐", Cue::unpause}, {"放音乐", Cue::unpause},
        {"放歌", Cue::unpause},
        // Cantonese and Taiwanese wording (written in Traditional; the normaliser simplifies it).
        {"係唔係", Cue::query}, 
        {"邊一", Cue::query}, {"幾多", Cue::query}, {"哪一", Cue::query},
        {"咩", Cue::query}, {"狀態", Cue::query}, {"多熱", Cue::temperature_query},
        {"多冷", Cue::temperature_query}, {"開咗", Cue::state_on}, {"偵測到", Cue::state_on},
        {"鎖咗", Cue::state_locked}, {"鎖住", Cue::state_locked},
        {"無鎖", Cue::state_unlocked}, {"冇鎖", Cue::state_unlocked}, {"無事", Cue::nevermind},
        {"冇事", Cue::nevermind}, {"算數", Cue::nevermind}, 
        {"咗", Cue::filler}, {"嘅", Cue::filler}, {"啲", Cue::filler}, {"喇", Cue::filler},
        {"着", Cue::on}, {"再播放", Cue::previous}, {"重播", Cue::previous},
        // Media and vacuum.
        {"暂停", Cue::pause}, {"停止播放", Cue::pause}, {"pause", Cue::pause},
        {"继续", Cue::unpause}, {"恢复", Cue::unpause}, {"接着放", Cue::unpause}, {"继续播放", Cue::unpause},
        {"unpause", Cue::unpause}, {"resume", Cue::unpause}, {"continue", Cue::unpause},
        {"下一曲", Cue::next}, {"下一台", Cue::next}, {"下一个", Cue::next},
        {"切歌", Cue::next}, {"下首", Cue::next}, {"下一首歌", Cue::next}, {"换台", Cue::next},
        {"next", Cue::next}, {"skip", Cue::next},
        {"上一曲", Cue::previous}, {"上一台", Cue::previous},
        {"上一个", Cue::previous}, {"上首", Cue::previous}, {"上一首歌", Cue::previous},
        {"previous", Cue::previous}, {"go back", Cue::previous}, {"replay", Cue::previous},
        {"last track", Cue::previous}, {"last song", Cue::previous}, {"last episode", Cue::previous},
        {"开始清洁", Cue::clean}, {"开始打扫", Cue::clean}, {"扫地", Cue::clean}, {"打扫", Cue::clean},
        {"清扫", Cue::clean}, {"清洁", Cue::clean}, {"clean", Cue::clean}, {"vacuum the", Cue::clean},
        {"返回", Cue::dock}, {"回充", Cue::dock}, {"返回充电", Cue::dock}, {"回到基站", Cue::dock},
        {"返回到基站", Cue::dock}, {"回去充电", Cue::dock}, {"基站", Cue::dock},
        {"return", Cue::dock}, {"dock", Cue::dock}, {"to base", Cue::dock}, {"go home", Cue::dock},
        // Conversation.
        {"撤销", Cue::undo}, {"撤回", Cue::undo}, {"还原", Cue::undo}, {"恢复原样", Cue::undo},
        {"取消刚才", Cue::undo}, {"undo", Cue::undo}, {"revert", Cue::undo}, {"put it back", Cue::undo},
        {"没关系", Cue::nevermind}, {"没事儿", Cue::nevermind}, {"没事了", Cue::nevermind},
        {"没事", Cue::nevermind}, {"算了", Cue::nevermind}, {"再见", Cue::nevermind}, {"闭嘴", Cue::nevermind},
        {"退下", Cue::nevermind}, {"不用了", Cue::nevermind}, {"取消", Cue::nevermind},
        {"nevermind", Cue::nevermind}, {"never mind", Cue::nevermind}, {"cancel", Cue::nevermind},
        {"forget it", Cue::nevermind},
        {"不要", Cue::negation}, {"别", Cue::negation}, {"不用", Cue::negation}, {"甭", Cue::negation},
        {"dont", Cue::negation}, {"do not", Cue::negation}, {"not", Cue::negation}, {"never", Cue::negation},
        {"no need to", Cue::negation}, {"im not", Cue::negation},
        // Amounts and attributes.
        {"一点", Cue::bit}, {"一些", Cue::bit}, {"一点儿", Cue::bit}, {"点儿", Cue::bit}, {"些", Cue::bit},
        {"a bit", Cue::bit}, {"a little", Cue::bit}, {"slightly", Cue::bit}, {"little", Cue::bit},
        {"最大", Cue::max}, {"最亮", Cue::max}, {"最高", Cue::max}, {"max", Cue::max}, {"maximum", Cue::max},
        {"highest", Cue::max}, {"the highest", Cue::max}, {"full", Cue::max}, {"brightest", Cue::max},
        {"最小", Cue::min}, {"最低", Cue::min}, {"min", Cue::min}, {"minimum", Cue::min},
        {"lowest", Cue::min}, {"dimmest", Cue::min},
        {"亮度", Cue::brightness}, {"brightness", Cue::brightness},
        {"温度", Cue::temperature}, {"气温", Cue::temperature}, {"室温", Cue::temperature},
        {"多少度", Cue::temperature_query},
        {"temperature", Cue::temperature}, {"temp", Cue::temperature}, {"how warm", Cue::temperature_query},
        {"how hot", Cue::temperature_query}, {"how cold", Cue::temperature_query},
        {"音量", Cue::volume}, {"声音", Cue::volume}, {"volume", Cue::volume},
        {"位置", Cue::position}, {"开度", Cue::position}, {"position", Cue::position},
        {"颜色", Cue::color}, {"color", Cue::color}, {"colour", Cue::color},
        {"红色", Cue::color, 1}, {"绿色", Cue::color, 2}, {"蓝色", Cue::color, 3}, {"白色", Cue::color, 4},
        {"黄色", Cue::color, 5}, {"紫色", Cue::color, 6}, {"橙色", Cue::color, 7}, {"粉色", Cue::color, 8},
        {"暖白", Cue::color, 9}, {"红", Cue::color, 1}, {"绿", Cue::color, 2}, {"蓝", Cue::color, 3},
        {"red", Cue::color, 1}, {"green", Cue::color, 2}, {"blue", Cue::color, 3}, {"white", Cue::color, 4},
        {"yellow", Cue::color, 5}, {"purple", Cue::color, 6}, {"orange", Cue::color, 7},
        {"pink", Cue::color, 8}, {"warm white", Cue::color, 9},
        {"都", Cue::all}, {"全", Cue::all},
        {"each", Cue::all}, {"each and every", Cue::all},
        {"全家", Cue::everywhere}, {"所有房间", Cue::everywhere},
        {"家里", Cue::everywhere}, {"到处", Cue::everywhere}, {"everywhere", Cue::everywhere},
        {"the house", Cue::everywhere}, {"whole house", Cue::everywhere}, {"the home", Cue::everywhere},
        {"our home", Cue::everywhere}, {"entire home", Cue::everywhere}, {"entire house", Cue::everywhere},
        {"whole home", Cue::everywhere}, {"all over", Cue::everywhere}, {"all area", Cue::everywhere},
        {"这里", Cue::here}, {"这儿", Cue::here}, {"这个房间", Cue::here}, {"here", Cue::here},
        {"in here", Cue::here}, {"this room", Cue::here},
        // States in questions.
        {"开着", Cue::state_on}, {"开着的", Cue::state_on}, {"開著", Cue::state_on}, {"亮着", Cue::state_on},
        {"关着", Cue::state_off}, {"关着的", Cue::state_off}, {"关了", Cue::state_off},
        {"锁着", Cue::state_locked}, {"鎖著", Cue::state_locked}, {"锁了", Cue::state_locked}, {"锁着的", Cue::state_locked},
        {"没锁", Cue::state_unlocked}, {"没有锁", Cue::state_unlocked},
        {"opened", Cue::state_open}, {"closed", Cue::state_closed}, {"locked", Cue::state_locked},
        {"unlocked", Cue::state_unlocked}, {"triggered", Cue::state_on}, {"detected", Cue::state_on},
        {"打开着", Cue::state_open}, {"打开着的", Cue::state_open},
        {"场景", Cue::scene_word}, {"模式", Cue::scene_word}, {"脚本", Cue::scene_word},
        {"scene", Cue::scene_word}, {"script", Cue::scene_word},
        // Moods.
        {"困了", Cue::mood, int(Mood::sleepy)}, {"困", Cue::mood, int(Mood::sleepy)},
        {"睡觉", Cue::mood, int(Mood::sleepy)}, {"晚安", Cue::mood, int(Mood::sleepy)},
        {"想睡", Cue::mood, int(Mood::sleepy)}, {"睡了", Cue::mood, int(Mood::sleepy)},
        {"tired", Cue::mood, int(Mood::sleepy)}, {"sleepy", Cue::mood, int(Mood::sleepy)},
        {"good night", Cue::mood, int(Mood::sleepy)}, {"goodnight", Cue::mood, int(Mood::sleepy)},
        {"go to bed", Cue::mood, int(Mood::sleepy)}, {"going to bed", Cue::mood, int(Mood::sleepy)},
        {"bedtime", Cue::mood, int(Mood::sleepy)},
        {"起床", Cue::mood, int(Mood::wake)}, {"早上好", Cue::mood, int(Mood::wake)},
        {"早安", Cue::mood, int(Mood::wake)}, {"醒了", Cue::mood, int(Mood::wake)},
        {"good morning", Cue::mood, int(Mood::wake)}, {"wake up", Cue::mood, int(Mood::wake)},
        {"im up", Cue::mood, int(Mood::wake)}, {"im awake", Cue::mood, int(Mood::wake)},
        {"出门", Cue::mood, int(Mood::leave)}, {"我走了", Cue::mood, int(Mood::leave)},
        {"上班去", Cue::mood, int(Mood::leave)}, {"出去了", Cue::mood, int(Mood::leave)},
        {"离家", Cue::mood, int(Mood::leave)}, {"im leaving", Cue::mood, int(Mood::leave)},
        {"leaving", Cue::mood, int(Mood::leave)}, {"heading out", Cue::mood, int(Mood::leave)},
        {"going out", Cue::mood, int(Mood::leave)}, {"im off", Cue::mood, int(Mood::leave)},
        {"回家", Cue::mood, int(Mood::home)}, {"我回来了", Cue::mood, int(Mood::home)},
        {"到家", Cue::mood, int(Mood::home)}, {"回来了", Cue::mood, int(Mood::home)},
        {"im home", Cue::mood, int(Mood::home)}, {"im back", Cue::mood, int(Mood::home)},
        {"back home", Cue::mood, int(Mood::home)},
        {"看电影", Cue::mood, int(Mood::movie)}, {"电影", Cue::mood, int(Mood::movie)},
        {"movie", Cue::mood, int(Mood::movie)}, {"movie time", Cue::mood, int(Mood::movie)},
        {"watch a movie", Cue::mood, int(Mood::movie)},
        {"看书", Cue::mood, int(Mood::reading)}, {"阅读", Cue::mood, int(Mood::reading)},
        {"读书", Cue::mood, int(Mood::reading)}, {"reading", Cue::mood, int(Mood::reading)},
        {"read a book", Cue::mood, int(Mood::reading)},
        {"太热", Cue::mood, int(Mood::too_hot)}, {"好热", Cue::mood, int(Mood::too_hot)},
        {"热死", Cue::mood, int(Mood::too_hot)}, {"有点热", Cue::mood, int(Mood::too_hot)},
        {"很热", Cue::mood, int(Mood::too_hot)}, {"真热", Cue::mood, int(Mood::too_hot)},
        {"too hot", Cue::mood, int(Mood::too_hot)}, {"so hot", Cue::mood, int(Mood::too_hot)},
        {"hot in here", Cue::mood, int(Mood::too_hot)}, {"its hot", Cue::mood, int(Mood::too_hot)},
        {"太冷", Cue::mood, int(Mood::too_cold)}, {"好冷", Cue::mood, int(Mood::too_cold)},
        {"有点冷", Cue::mood, int(Mood::too_cold)}, {"很冷", Cue::mood, int(Mood::too_cold)},
        {"冷死", Cue::mood, int(Mood::too_cold)}, {"too cold", Cue::mood, int(Mood::too_cold)},
        {"so cold", Cue::mood, int(Mood::too_cold)}, {"freezing", Cue::mood, int(Mood::too_cold)},
        {"its cold", Cue::mood, int(Mood::too_cold)},
        {"太暗", Cue::mood, int(Mood::too_dark)}, {"好暗", Cue::mood, int(Mood::too_dark)},
        {"有点暗", Cue::mood, int(Mood::too_dark)}, {"看不清", Cue::mood, int(Mood::too_dark)},
        {"too dark", Cue::mood, int(Mood::too_dark)}, {"its dark", Cue::mood, int(Mood::too_dark)},
        {"太亮", Cue::mood, int(Mood::too_bright)}, {"好亮", Cue::mood, int(Mood::too_bright)},
        {"刺眼", Cue::mood, int(Mood::too_bright)}, {"有点亮", Cue::mood, int(Mood::too_bright)},
        {"too bright", Cue::mood, int(Mood::too_bright)},
        {"闷", Cue::mood, int(Mood::stuffy)}, {"空气不好", Cue::mood, int(Mood::stuffy)},
        {"空气差", Cue::mood, int(Mood::stuffy)}, {"不通风", Cue::mood, int(Mood::stuffy)},
        {"stuffy", Cue::mood, int(Mood::stuffy)}, {"air is bad", Cue::mood, int(Mood::stuffy)},
        {"air is stale", Cue::mood, int(Mood::stuffy)},
        // Everyday wording: Cantonese as written in Hong Kong (the normaliser simplifies
        // it, so 熄 閂 校 較 佢 咗 啲 唔 嘅 喇 match in either script), more Mandarin and English.
        {"熄", Cue::off}, {"熄咗", Cue::off}, {"閂", Cue::off}, {"閂咗", Cue::off}, {"閂埋", Cue::off},
        {"拉埋", Cue::off}, {"開埋", Cue::on},
        {"kill", Cue::off}, {"turn of", Cue::off}, {"switch of", Cue::off},
        {"校到", Cue::set}, {"校去", Cue::set}, {"較到", Cue::set}, {"較去", Cue::set}, {"校", Cue::set},
        {"開到", Cue::set}, {"调去", Cue::set},
        {"較高", Cue::up}, {"校高", Cue::up}, {"高啲", Cue::up}, {"大啲", Cue::up}, {"大点", Cue::up},
        {"較低", Cue::down}, {"校低", Cue::down}, {"低啲", Cue::down}, {"細啲", Cue::down}, {"小点", Cue::down},
        {"光啲", Cue::brighter}, {"光一啲", Cue::brighter}, {"暗啲", Cue::dimmer}, {"暗一啲", Cue::dimmer},
        {"最光", Cue::max}, {"最暗", Cue::min},
        {"大聲啲", Cue::louder}, {"大聲", Cue::louder}, {"大点声", Cue::louder}, {"louder please", Cue::louder},
        {"細聲啲", Cue::quieter}, {"細聲", Cue::quieter}, {"小点声", Cue::quieter}, {"太吵", Cue::quieter},
        {"吵", Cue::quieter}, {"too loud", Cue::quieter},
        {"静音", Cue::mute}, {"mute", Cue::mute}, {"消音", Cue::mute},
        {"放点音乐", Cue::unpause}, {"来点音乐", Cue::unpause}, {"放首歌", Cue::unpause}, {"放点歌", Cue::unpause},
        {"播啲音樂", Cue::unpause}, {"播音樂", Cue::unpause}, {"play some music", Cue::unpause},
        {"put some music on", Cue::unpause}, {"play something", Cue::unpause},
        {"换一首", Cue::next}, {"换首歌", Cue::next}, {"换一首歌", Cue::next}, {"转过第二首", Cue::next},
        {"轉過另一首", Cue::next}, {"下一首", Cue::next}, {"播返上一首", Cue::previous}, {"上一首", Cue::previous},
        {"停一停", Cue::pause}, {"停一下", Cue::pause}, {"停下", Cue::pause},
        {"扫一下", Cue::clean}, {"吸尘", Cue::clean}, {"vacuuming", Cue::clean}, {"vacuum the floor", Cue::clean},
        {"on heat", Cue::hvac_mode, 2}, {"to heat", Cue::hvac_mode, 2}, {"on cool", Cue::hvac_mode, 1},
        {"to cool", Cue::hvac_mode, 1}, {"除湿模式", Cue::hvac_mode, 3},
        {"还有多少电", Cue::reading, 4}, {"剩多少电", Cue::reading, 4}, {"多少电", Cue::reading, 4},
        {"用了多少电", Cue::reading, 5}, {"耗电", Cue::reading, 5},
        {"了没", Cue::query}, {"了没有", Cue::query}, {"咗未", Cue::query}, {"未呀", Cue::query},
        {"幾多度", Cue::temperature_query}, {"几度", Cue::temperature_query},
        {"几个", Cue::query, 2}, {"几盏", Cue::query, 2}, {"几扇", Cue::query, 2}, {"多少个", Cue::query, 2},
        {"幾多個", Cue::query, 2}, {"幾多盞", Cue::query, 2}, {"how many", Cue::query, 2},
        {"哪些", Cue::query, 3}, {"哪个", Cue::query, 3}, {"哪一个", Cue::query, 3}, {"哪一扇", Cue::query, 3},
        {"邊啲", Cue::query, 3}, {"邊個", Cue::query, 3}, {"which", Cue::query, 3},
        {"有没有", Cue::query, 1}, {"有冇", Cue::query, 1}, {"有無", Cue::query, 1}, {"any", Cue::query, 1},
        {"所有", Cue::all, 1}, {"所有的", Cue::all, 1}, {"全部", Cue::all, 1}, {"all", Cue::all, 1},
        {"every", Cue::all, 1}, {"晒", Cue::all, 1}, {"全屋", Cue::everywhere}, {"成间屋", Cue::everywhere},
        {"成屋", Cue::everywhere}, {"屋企", Cue::everywhere}, {"in the house", Cue::everywhere},
        {"上班", Cue::mood, int(Mood::leave)}, {"返工", Cue::mood, int(Mood::leave)},
        {"出去", Cue::mood, int(Mood::leave)}, {"off to work", Cue::mood, int(Mood::leave)},
        {"返咗嚟", Cue::mood, int(Mood::home)}, {"返嚟", Cue::mood, int(Mood::home)},
        {"返到屋企", Cue::mood, int(Mood::home)}, {"返屋企", Cue::mood, int(Mood::home)},
        {"眼瞓", Cue::mood, int(Mood::sleepy)}, {"瞓", Cue::mood, int(Mood::sleepy)},
        {"攰", Cue::mood, int(Mood::sleepy)}, {"累", Cue::mood, int(Mood::sleepy)},
        {"早晨", Cue::mood, int(Mood::wake)},
        {"凍", Cue::mood, int(Mood::too_cold)}, {"im cold", Cue::mood, int(Mood::too_cold)},
        {"cold in here", Cue::mood, int(Mood::too_cold)}, {"im freezing", Cue::mood, int(Mood::too_cold)},
        {"im hot", Cue::mood, int(Mood::too_hot)},
        {"焗", Cue::mood, int(Mood::stuffy)}, {"闷热", Cue::mood, int(Mood::stuffy)},
        {"空气不太好", Cue::mood, int(Mood::stuffy)}, {"空气很差", Cue::mood, int(Mood::stuffy)},
        {"睇戲", Cue::mood, int(Mood::movie)}, {"看会儿书", Cue::mood, int(Mood::reading)},
        {"看会书", Cue::mood, int(Mood::reading)},
        {"唔好", Cue::negation}, {"唔", Cue::negation}, {"唔使", Cue::nevermind},
        {"一楼", Cue::floor, 1}, {"二楼", Cue::floor, 2}, {"三楼", Cue::floor, 3}, {"楼上", Cue::floor, kUpstairs},
        {"楼下", Cue::floor, kDownstairs}, {"ground floor", Cue::floor, 1}, {"first floor", Cue::floor, 1},
        {"second floor", Cue::floor, 2}, {"third floor", Cue::floor, 3}, {"upstairs", Cue::floor, kUpstairs},
        {"downstairs", Cue::floor, kDownstairs},
        {"佢", Cue::filler}, {"埋", Cue::filler}, {"盏", Cue::filler}, {"部", Cue::filler}, {"個", Cue::filler},
        {"唔该", Cue::filler}, {"而家", Cue::filler}, {"透透气", Cue::filler},
        {"谢谢", Cue::filler}, {"thanks", Cue::filler}, {"thank you", Cue::filler}, {"some", Cue::filler},
        {"入面", Cue::filler}, {"single", Cue::filler}, {"item", Cue::filler}, {"my room", Cue::here},
        {"our room", Cue::here}, {"这首", Cue::filler}, {"这个", Cue::filler}, {"那个", Cue::filler},
        {"任何", Cue::query, 1}, {"嘛", Cue::query}, {"目前", Cue::filler}, {"正在", Cue::filler},
        {"thing", Cue::filler}, {"things", Cue::filler}, {"anything", Cue::filler}, {"something", Cue::filler},
        {"device", Cue::filler}, {"devices", Cue::filler}, {"batteries", Cue::reading, 4},
        {"多少扇", Cue::query, 2}, {"多少盏", Cue::query, 2}, {"幾扇", Cue::query, 2}, {"幾道", Cue::query, 2}, {"听听", Cue::filler}, {"this", Cue::filler}, {"by", Cue::filler},
        // Words that carry no meaning here; they count as understood.
        {"的", Cue::filler}, {"把", Cue::filler}, {"和", Cue::filler}, {"跟", Cue::filler}, {"将", Cue::filler}, {"请", Cue::filler},
        {"帮我", Cue::filler}, {"给我", Cue::filler}, {"一下", Cue::filler}, {"吧", Cue::filler},
        {"了", Cue::filler}, {"啊", Cue::filler}, {"呢", Cue::filler}, {"呀", Cue::filler},
        {"我", Cue::filler}, {"现在", Cue::filler}, {"当前", Cue::filler}, {"在", Cue::filler},
        {"是", Cue::filler}, {"有", Cue::filler}, {"帮忙", Cue::filler}, {"麻烦", Cue::filler},
        {"the", Cue::filler}, {"a", Cue::filler}, {"an", Cue::filler}, {"please", Cue::filler},
        {"can you", Cue::filler}, {"could you", Cue::filler}, {"would you", Cue::filler},
        {"for me", Cue::filler}, {"my", Cue::filler}, {"our", Cue::filler}, {"of", Cue::filler},
        {"in", Cue::filler}, {"at", Cue::filler}, {"and", Cue::filler}, {"it", Cue::filler},
        {"turn", Cue::filler}, {"there", Cue::filler}, {"if", Cue::filler},
        {"hey", Cue::filler}, {"i", Cue::filler}, {"im", Cue::filler}, {"its", Cue::filler},
        {"play", Cue::filler}, {"again", Cue::filler}, {"be", Cue::filler}, {"value", Cue::filler},
        {"current", Cue::filler}, {"state", Cue::filler}, {"level", Cue::filler}, {"percent", Cue::filler},
    };
    return words;
}

// State words of binary sensors, by Home Assistant's device classes (whose "on" means low battery,
// wet, unsafe, an update available, …). Both languages; Chinese in either script.
struct SensorStateWords {
    std::vector<std::string_view> words;
    SensorState state;
};

const std::vector<SensorStateWords>& sensor_state_words() {
    static const std::vector<SensorStateWords> words = {
        {{"low", "running low", "电量低", "电量过低", "电量不足", "低电量", "没电", "快没电"}, {{"battery"}, true}},
        {{"charged", "电量充足"}, {{"battery"}, false}},
        {{"normal", "ok", "okay", "正常", "没问题", "没有问题"},
         {{"battery", "cold", "heat", "problem", "tamper", "safety", "moisture", "gas", "smoke", "carbon_monoxide"}, false}},
        {{"charging", "充电", "充电中", "在充电", "充緊電"}, {{"battery_charging"}, true}},
        {{"cold", "冷的", "结冰"}, {{"cold"}, true}},
        {{"hot", "发热", "过热", "发烫"}, {{"heat"}, true}},
        {{"connected", "online", "连线", "连接", "联网", "在线", "连上"}, {{"connectivity"}, true}},
        {{"disconnected", "offline", "断线", "离线", "断开", "断网"}, {{"connectivity"}, false}},
        {{"wet", "flooded", "leaking", "潮湿", "湿的", "淹水", "进水"}, {{"moisture"}, true}},
        {{"dry", "干燥", "干的"}, {{"moisture"}, false}},
        {{"plugged in", "plugged", "插上", "插着", "插入", "插好"}, {{"plug"}, true}},
        {{"unplugged", "拔除", "拔掉", "拔出", "拔下"}, {{"plug"}, false}},
        {{"powered", "powered on", "供电", "通电", "有电"}, {{"power"}, true}},
        {{"running", "运作", "运作中", "运转", "运行中", "在运行", "工作中"}, {{"running", "moving"}, true}},
        {{"safe", "安全"}, {{"safety"}, false}},
        {{"unsafe", "dangerous", "不安全", "危险"}, {{"safety"}, true}},
        {{"tampered", "tampered with", "被动过", "被篡改"}, {{"tamper"}, true}},
        {{"clear"}, {{}, false}},
        {{"up to date", "最新", "最新状态", "最新版"}, {{"update"}, false}},
        {{"update", "updates", "available", "update available", "有更新", "可更新", "需要更新"}, {{"update"}, true}},
        {{"vibrating", "vibration", "震动", "震动中", "振动", "在震动"}, {{"vibration"}, true}},
        {{"home", "at home", "在家"}, {{"presence"}, true}},
        {{"away", "not home", "gone", "离家", "不在家"}, {{"presence"}, false}},
        {{"occupied"}, {{"occupancy", "motion", "presence"}, true}},
        {{"problem", "problems", "issue", "issues", "trouble", "问题", "故障"}, {{"problem"}, true}},
        {{"light detected", "lights detected"}, {{"light"}, true}},
    };
    return words;
}

struct KindWord {
    std::string_view text;
    std::vector<proto::DeviceKind> kinds;
    std::string_view device_class = {};
};

const std::vector<KindWord>& kind_words() {
    using K = proto::DeviceKind;
    static const std::vector<KindWord> words = {
        {"灯", {K::light}}, {"灯光", {K::light}}, {"电灯", {K::light}}, {"照明", {K::light}},
        {"light", {K::light}}, {"lamp", {K::light}}, {"lighting", {K::light}},
        {"开关", {K::switch_}}, {"開關制", {K::switch_}}, {"插座", {K::switch_}}, {"switch", {K::switch_}}, {"plug", {K::switch_}},
        {"outlet", {K::switch_}}, {"socket", {K::switch_}},
        {"空调", {K::air_conditioner, K::thermostat}}, {"冷气", {K::air_conditioner}},
        {"ac", {K::air_conditioner, K::thermostat}}, {"air conditioner", {K::air_conditioner, K::thermostat}},
        {"air conditioning", {K::air_conditioner, K::thermostat}}, {"aircon", {K::air_conditioner}},
        {"温控器", {K::thermostat}}, {"恒温器", {K::thermostat}}, {"暖气", {K::thermostat}},
        {"thermostat", {K::thermostat, K::air_conditioner}}, {"heating", {K::thermostat}}, {"heater", {K::thermostat}},
        {"风扇", {K::fan}}, {"电扇", {K::fan}}, {"电风扇", {K::fan}}, {"fan", {K::fan}},
        {"音箱", {K::speaker}}, {"音响", {K::speaker}}, {"喇叭", {K::speaker}}, {"speaker", {K::speaker}},
        {"music", {K::speaker, K::tv}}, {"音乐", {K::speaker, K::tv}}, {"歌", {K::speaker, K::tv}},
        {"media player", {K::speaker, K::tv}}, {"media", {K::speaker, K::tv}},
        {"tv show", {K::tv, K::speaker}}, {"show", {K::tv, K::speaker}}, {"song", {K::speaker, K::tv}},
        {"track", {K::speaker, K::tv}},
        {"电视", {K::tv}}, {"电视机", {K::tv}}, {"tv", {K::tv}}, {"television", {K::tv}}, {"telly", {K::tv}},
        {"lite", {K::light}},
        // Covers by class: windows are not curtains.
        {"窗帘", {K::curtain}, "curtain"}, {"curtain", {K::curtain}, "curtain"}, {"drape", {K::curtain}, "curtain"},
        {"百叶窗", {K::curtain}, "blind"}, {"百叶帘", {K::curtain}, "blind"}, {"blind", {K::curtain}, "blind"},
        {"卷帘", {K::curtain}, "shade"}, {"遮阳帘", {K::curtain}, "shade"}, {"shade", {K::curtain}, "shade"},
        {"窗户", {K::curtain}, "window"}, {"窗", {K::curtain}, "window"}, {"window", {K::curtain}, "window"},
        {"车库门", {K::curtain}, "garage"}, {"车房门", {K::curtain}, "garage"}, {"garage door", {K::curtain}, "garage"},
        {"车库的门", {K::curtain}, "garage"}, {"车房的门", {K::curtain}, "garage"},
        {"卷帘门", {K::curtain}, "shutter"}, {"shutter", {K::curtain}, "shutter"}, {"cover", {K::curtain}},
        {"门", {K::lock}}, {"door", {K::lock}},
        {"锁", {K::lock}}, {"门锁", {K::lock}}, {"lock", {K::lock}}, {"door lock", {K::lock}},
        {"空气净化器", {K::air_purifier}}, {"净化器", {K::air_purifier}}, {"air purifier", {K::air_purifier}},
        {"空气清新机", {K::air_purifier}}, {"吸尘机", {K::vacuum}}, {"插苏", {K::switch_}}, {"灯泡", {K::light}},
        {"purifier", {K::air_purifier}},
        {"扫地机", {K::vacuum}}, {"扫地机器人", {K::vacuum}}, {"吸尘器", {K::vacuum}}, {"vacuum", {K::vacuum}},
        {"robot vacuum", {K::vacuum}}, {"vacuum cleaner", {K::vacuum}},
        {"温湿度计", {K::climate_sensor}}, {"温度计", {K::climate_sensor}}, {"thermometer", {K::climate_sensor}},
        {"人体传感器", {K::presence_sensor}}, {"有人", {K::presence_sensor}}, {"anyone", {K::presence_sensor}},
        {"anybody", {K::presence_sensor}}, {"motion sensor", {K::presence_sensor}, "motion"},
        {"occupancy sensor", {K::presence_sensor}, "occupancy"}, {"presence sensor", {K::presence_sensor}, "presence"},
        {"noise", {K::sensor}, "sound"}, {"sound sensor", {K::sensor}, "sound"}, {"声音传感器", {K::sensor}, "sound"},
        {"moisture sensor", {K::sensor}, "moisture"}, {"leak sensor", {K::sensor}, "moisture"},
        // Sensors by class: a sensor without a class answers to every class word of its kind.
        {"motion", {K::presence_sensor}, "motion"}, {"movement", {K::presence_sensor}, "motion"},
        {"occupancy", {K::presence_sensor}, "occupancy"}, {"presence", {K::presence_sensor}, "presence"},
        {"opening", {K::contact_sensor}, "opening"}, {"carbon monoxide", {K::sensor}, "carbon_monoxide"},
        {"一氧化碳", {K::sensor}, "carbon_monoxide"}, {"gas", {K::sensor}, "gas"}, {"燃气", {K::sensor}, "gas"},
        {"瓦斯", {K::sensor}, "gas"}, {"smoke", {K::sensor}, "smoke"}, {"烟雾", {K::sensor}, "smoke"},
        {"water sensor", {K::sensor}, "moisture"}, {"leak", {K::sensor}, "moisture"}, {"漏水", {K::sensor}, "moisture"},
        {"门磁", {K::contact_sensor}}, {"door sensor", {K::contact_sensor}}, {"contact sensor", {K::contact_sensor}},
        {"传感器", {K::sensor, K::climate_sensor, K::presence_sensor, K::contact_sensor}},
        {"感测器", {K::sensor, K::climate_sensor, K::presence_sensor, K::contact_sensor}},
        {"感应器", {K::sensor, K::climate_sensor, K::presence_sensor, K::contact_sensor}},
        {"探测器", {K::sensor, K::climate_sensor, K::presence_sensor, K::contact_sensor}},
        {"sensor", {K::sensor, K::climate_sensor, K::presence_sensor, K::contact_sensor}},
    };
    return words;
}

int kind_rank(EntryKind k) {
    switch (k) {
        case EntryKind::device: return 0;
        case EntryKind::scene: return 1;
        case EntryKind::area: return 2;
        case EntryKind::floor: return 2;
        case EntryKind::cue: return 3;
        case EntryKind::kind: return 4;
    }
    return 5;
}

// Edits between two words, a swap of neighbouring letters ("lihgt") counting as one.
int edit_distance(std::string_view a, std::string_view b) {
    constexpr std::size_t kMax = 32;
    if (a.size() >= kMax || b.size() >= kMax) return 99;
    std::array<std::array<int, kMax>, kMax> d;  // only the cells written below are read
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// A swap of two neighbouring letters and nothing else ("lmap" for "lamp").
bool swapped(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    std::size_t first = a.size();
    for (std::size_t k = 0; k < a.size(); ++k)
        if (a[k] != b[k]) {
            first = k;
            break;
        }
    return first + 1 < a.size() && a[first] == b[first + 1] && a[first + 1] == b[first] &&
           a.substr(first + 2) == b.substr(first + 2);
}

}  // namespace

std::string_view hvac_mode_name(int index) noexcept {
    static constexpr std::array<std::string_view, 5> modes = {"cool", "heat", "dry", "fan_only", "auto"};
    return index >= 1 && index <= 5 ? modes[static_cast<std::size_t>(index - 1)] : "";
}

std::string_view reading_attribute(int index) noexcept {
    static constexpr std::array<std::string_view, 5> attributes = {"humidity", "pm25", "illuminance", "battery", "power"};
    return index >= 1 && index <= 5 ? attributes[static_cast<std::size_t>(index - 1)] : "";
}

std::string_view color_name(int index) noexcept {
    return index >= 1 && index <= static_cast<int>(kColors.size()) ? kColors[static_cast<std::size_t>(index - 1)] : "";
}

Lexicon::Lexicon(const devices::Registry& registry, const Vocabulary& vocabulary, const TextNormalizer& normalizer)
    : normalizer_(&normalizer) {
    add_cues();
    add_kinds();
    const auto add_name = [&](const proto::LocalizedName& name, EntryKind kind, const std::string& target) {
        Entry zh{{}, kind, target, {}, {}, Cue::filler, 0, Language::zh};
        Entry en{{}, kind, target, {}, {}, Cue::filler, 0, Language::en};
        if (!name.zh.empty()) add(name.zh, zh);
        if (!name.en.empty() && name.en != name.zh) add(name.en, en);
        // "livingroom", "bedsidelamp", "livingroom light": an English name with words run together.
        if (name.en.find(' ') != std::string::npos) {
            std::string joined;
            for (const char c : name.en)
                if (c != ' ') joined += c;
            add(joined, en);
            if (name.en.find(' ') != name.en.rfind(' '))  // three words or more: each pair run together
                for (auto space = name.en.find(' '); space != std::string::npos; space = name.en.find(' ', space + 1))
                    add(name.en.substr(0, space) + name.en.substr(space + 1), en);
        }
    };
    std::vector<std::string> floors;
    for (const auto* area : registry.areas()) {
        add_name(area->name, EntryKind::area, area->id.value);
        if (area->floor && std::find(floors.begin(), floors.end(), area->floor->id) == floors.end()) {
            floors.push_back(area->floor->id);
            add_name(area->floor->name, EntryKind::floor, area->floor->id);
        }
    }
    for (const auto* device : registry.list()) {
        add_name(device->description.name, EntryKind::device, device->description.id.value);
    }
    name_word_ = Entry{{}, EntryKind::cue, {}, {}, {}, Cue::filler, 0, std::nullopt};
    for (const auto& alias : vocabulary.aliases) {
        if (!registry.find(alias.device)) continue;
        add(alias.name, Entry{{}, EntryKind::device, alias.device.value, {}, {}, Cue::filler, 0, std::nullopt});
    }
    for (const auto& scene : vocabulary.scenes) add_name(scene.name, EntryKind::scene, scene.id.value);
    for (std::size_t i = 0; i < vocabulary.sentences.size(); ++i) add_sentence(vocabulary.sentences[i], i);
}

void Lexicon::add_sentence(const CustomSentence& sentence, std::size_t index) {
    Pattern p;
    p.sentence = index;
    std::string_view rest = sentence.pattern;
    while (true) {
        const auto open = rest.find('{');
        const auto close = open == std::string_view::npos ? open : rest.find('}', open);
        if (close == std::string_view::npos) {
            p.literals.push_back(normalizer_->normalize(rest).units);
            break;
        }
        p.literals.push_back(normalizer_->normalize(rest.substr(0, open)).units);
        p.wildcards.emplace_back(rest.substr(open + 1, close - open - 1));
        rest = rest.substr(close + 1);
    }
    patterns_.push_back(std::move(p));
}

namespace {

bool literal_at(const std::vector<Unit>& units, std::size_t at, const std::vector<Unit>& literal) {
    if (at + literal.size() > units.size()) return false;
    for (std::size_t k = 0; k < literal.size(); ++k)
        if (units[at + k].text != literal[k].text) return false;
    return true;
}

// Literal 0, then (wildcard i, literal i+1)…; each wildcard takes at least one unit.
bool match_from(const std::vector<Unit>& units, std::size_t at, const std::vector<std::vector<Unit>>& literals,
                std::size_t piece, std::vector<std::pair<std::size_t, std::size_t>>& spans) {
    if (piece == literals.size() - 1) return at == units.size();
    for (std::size_t end = at + 1; end <= units.size(); ++end) {
        if (!literal_at(units, end, literals[piece + 1])) continue;
        spans.emplace_back(at, end);
        if (match_from(units, end + literals[piece + 1].size(), literals, piece + 1, spans)) return true;
        spans.pop_back();
    }
    return false;
}

}  // namespace

std::optional<Understanding> Lexicon::match_sentence(const Text& text, const Vocabulary& vocabulary) const {
    for (const auto& p : patterns_) {
        if (!literal_at(text.units, 0, p.literals.front())) continue;
        std::vector<std::pair<std::size_t, std::size_t>> spans;
        if (!match_from(text.units, p.literals.front().size(), p.literals, 0, spans)) continue;
        const auto& sentence = vocabulary.sentences[p.sentence];
        Understanding u;
        u.understood = true;
        u.language = text.language;
        u.outcome = Outcome::custom;
        proto::Attributes slots;
        for (std::size_t i = 0; i < spans.size(); ++i)
            slots[p.wildcards[i]] = TextNormalizer::join(text.units, spans[i].first, spans[i].second);
        if (sentence.scene) {
            slots["scene"] = sentence.scene->value;
            u.scene = sentence.scene;
        }
        if (sentence.rule) {
            slots["rule"] = sentence.rule->value;
            u.rule = sentence.rule;
        }
        u.intent = Intent{"custom", std::move(slots), 1.0};
        return u;
    }
    return std::nullopt;
}

void Lexicon::add(std::string_view phrase, Entry entry) {
    entry.phrase = normalizer_->normalize(phrase).units;
    if (entry.phrase.empty()) return;
    const auto index = entries_.size();
    by_first_unit_[entry.phrase.front().text].push_back(index);
    if (entry.kind == EntryKind::device || entry.kind == EntryKind::area)
        for (const auto& u : entry.phrase)
            if (u.kind == UnitKind::word && u.text.size() >= 3 &&
                std::find(name_words_.begin(), name_words_.end(), u.text) == name_words_.end())
                name_words_.push_back(u.text);
    if (entry.kind != EntryKind::cue) names_.push_back(index);
    entries_.push_back(std::move(entry));
}

void Lexicon::add_cues() {
    for (const auto& w : cue_words()) add(w.text, Entry{{}, EntryKind::cue, {}, {}, {}, w.cue, w.detail, std::nullopt});
    const auto& states = sensor_state_words();
    for (std::size_t i = 0; i < states.size(); ++i)
        for (const auto word : states[i].words)
            add(word, Entry{{}, EntryKind::cue, {}, {}, {}, Cue::sensor_state, static_cast<int>(i + 1), std::nullopt});
}

const SensorState* sensor_state(int index) noexcept {
    const auto& states = sensor_state_words();
    return index >= 1 && index <= static_cast<int>(states.size()) ? &states[static_cast<std::size_t>(index - 1)].state
                                                                   : nullptr;
}

bool has_binary_state(const devices::Device& d) {
    for (const auto* a : {"occupancy", "contact", "detected", "locked"})
        if (d.description.find(a)) return true;
    // An adopted sensor's own yes-or-no reading ("water_leak", "battery_low").
    return d.description.kind == proto::DeviceKind::sensor &&
           std::any_of(d.description.capabilities.begin(), d.description.capabilities.end(),
                       [](const proto::Capability& c) { return c.type == proto::ValueType::boolean; });
}

bool is_of_class(const devices::Device& d, std::string_view device_class) {
    const auto& c = d.description.device_class;
    if (!c.empty()) return c == device_class;
    switch (d.description.kind) {
        case proto::DeviceKind::presence_sensor:
            return device_class == "motion" || device_class == "occupancy" || device_class == "presence";
        case proto::DeviceKind::contact_sensor:
            return device_class == "door" || device_class == "window" || device_class == "opening";
        case proto::DeviceKind::lock: return device_class == "lock";
        default: return false;
    }
}

void Lexicon::add_kinds() {
    for (const auto& w : kind_words()) {
        const auto language = static_cast<unsigned char>(w.text.front()) >= 0x80 ? Language::zh : Language::en;
        Entry e{{}, EntryKind::kind, {}, w.kinds, std::string(w.device_class), Cue::filler, 0, language};
        add(w.text, std::move(e));
    }
}

bool kind_word_matches(const Entry& e, const devices::Device& d) {
    if (std::find(e.kinds.begin(), e.kinds.end(), d.description.kind) == e.kinds.end()) return false;
    if (e.device_class.empty()) return true;
    const auto& c = d.description.device_class;
    if (c.empty()) return e.device_class == "curtain" || d.description.kind != proto::DeviceKind::curtain;
    // 窗帘 covers blinds and shades too (Taiwan's 窗簾 are often blinds); "curtain" does not.
    if (e.device_class == "curtain" && e.language == Language::zh && (c == "blind" || c == "shade")) return true;
    return c == e.device_class || (e.device_class == "garage" && c == "garage_door");
}

namespace {

bool better(const Mention& a, const Mention& b) {
    const auto la = a.end - a.begin, lb = b.end - b.begin;
    if (la != lb) return la > lb;
    if (a.score != b.score) return a.score > b.score;
    if (a.is_number != b.is_number) return !a.is_number;
    return kind_rank(a.kind) < kind_rank(b.kind);
}

// The segmentation that explains the most units; among those, longer and more specific pieces
// ("把门锁上" is 门 + 锁上, not the device 门锁 + 上). Candidates come sorted by `better`, so the
// first of equal choices wins.
std::vector<Mention> segment(const std::vector<Mention>& candidates, std::size_t n) {
    std::vector<std::vector<std::size_t>> starting(n);
    for (std::size_t c = 0; c < candidates.size(); ++c) starting[candidates[c].begin].push_back(c);
    const auto weight = [](const Mention& m) {
        const int length = static_cast<int>(m.end - m.begin);
        const int bonus = m.is_number                     ? 2
                          : m.kind == EntryKind::kind     ? 1
                          : m.kind == EntryKind::cue      ? 2
                          : m.kind == EntryKind::device   ? 4
                                                          : 3;  // area, floor, scene
        return length * 100 - 10 + bonus * length;
    };
    std::vector<int> best(n + 1, 0);
    std::vector<long> choice(n, -1);
    for (std::size_t i = n; i-- > 0;) {
        best[i] = best[i + 1];
        for (const auto c : starting[i]) {
            const int v = weight(candidates[c]) + best[candidates[c].end];
            if (v > best[i]) {
                best[i] = v;
                choice[i] = static_cast<long>(c);
            }
        }
    }
    std::vector<Mention> picked;
    for (std::size_t i = 0; i < n;) {
        if (choice[i] < 0) {
            ++i;
            continue;
        }
        picked.push_back(candidates[static_cast<std::size_t>(choice[i])]);
        i = picked.back().end;
    }
    return picked;
}

// Same span, same score, another name or kind: an alternative reading of a chosen mention.
void add_alternative(std::vector<Mention>& chosen, const Mention& m) {
    if (m.is_number || m.kind == EntryKind::cue) return;
    for (auto& c : chosen) {
        if (c.begin != m.begin || c.end != m.end || c.score != m.score || c.is_number || c.kind == EntryKind::cue) continue;
        if (std::find(c.entries.begin(), c.entries.end(), m.entries.front()) == c.entries.end())
            c.entries.push_back(m.entries.front());
    }
}

}  // namespace

std::optional<double> Lexicon::sound_alike(const std::vector<Unit>& units, std::size_t at, const Entry& e) const {
    const auto n = e.phrase.size();
    double penalty = 0;
    int differing = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const auto& u = units[at + k];
        const auto& p = e.phrase[k];
        if (u.text == p.text) continue;
        ++differing;
        if (u.kind == UnitKind::han && p.kind == UnitKind::han) {
            const int d = normalizer_->sound_distance(u.pinyin, p.pinyin);
            if (d > 1 || (n == 1 && d > 0)) return std::nullopt;
            penalty += d == 0 ? 0.08 : 0.2;
        } else if (u.kind == UnitKind::word && p.kind == UnitKind::word && u.text.size() >= 4 && p.text.size() >= 4 &&
                   u.text.front() == p.text.front()) {
            const int d = edit_distance(u.text, p.text);
            if (d > (p.text.size() >= 8 ? 2 : 1)) return std::nullopt;
            penalty += 0.2 * d;
        } else {
            return std::nullopt;
        }
    }
    // At least one unit must differ (else it is an exact match), and most must not; a two-word
    // English name may have both misspelt ("flor lmap"), scoring low enough to be asked about.
    const bool two_words = n == 2 && e.phrase[0].kind == UnitKind::word && e.phrase[1].kind == UnitKind::word;
    if (differing == 0 || (differing * 2 > static_cast<int>(n) + 1 && !two_words)) return std::nullopt;
    return std::max(0.0, 1.0 - penalty);
}

std::vector<Mention> Lexicon::spot(const Text& text) const {
    const auto& units = text.units;
    std::vector<Mention> candidates;
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (const auto n = read_number(units, i)) candidates.push_back(Mention{i, n->end, EntryKind::cue, true, *n, {}, 1.0});
        const auto it = by_first_unit_.find(units[i].text);
        if (it == by_first_unit_.end()) continue;
        for (const auto index : it->second) {
            const auto& e = entries_[index];
            if (i + e.phrase.size() > units.size()) continue;
            bool same = true;
            for (std::size_t k = 1; k < e.phrase.size() && same; ++k) same = e.phrase[k].text == units[i + k].text;
            if (!same) continue;
            candidates.push_back(Mention{i, i + e.phrase.size(), e.kind, false, {}, {&e}, 1.0});
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(), better);
    std::vector<Mention> chosen = segment(candidates, units.size());
    for (const auto& m : candidates) add_alternative(chosen, m);

    // Sound-alike and misspelt names on what is left. A name may also swallow area and kind words
    // it spans: "可厅灯" is the device 客厅灯, not the area 可厅 (客厅) and the kind 灯.
    constexpr long kFree = -1;
    std::vector<long> owner(units.size(), kFree);
    for (std::size_t c = 0; c < chosen.size(); ++c)
        for (std::size_t k = chosen[c].begin; k < chosen[c].end; ++k) owner[k] = static_cast<long>(c);
    const auto claimable = [&](std::size_t begin, std::size_t end) {
        bool any_free = false;
        for (std::size_t k = begin; k < end; ++k) {
            if (owner[k] == kFree) {
                any_free = true;
                continue;
            }
            const auto& m = chosen[static_cast<std::size_t>(owner[k])];
            if (m.is_number || (m.kind != EntryKind::area && m.kind != EntryKind::kind) || m.begin < begin || m.end > end)
                return false;
        }
        return any_free;
    };
    std::vector<Mention> fuzzy;
    for (std::size_t i = 0; i < units.size(); ++i) {
        for (const auto index : names_) {
            const auto& e = entries_[index];
            const auto n = e.phrase.size();
            if (i + n > units.size() || !claimable(i, i + n)) continue;
            // Misspelt kind words are too easily ordinary words ("over" → "cover", "right" → "light"):
            // an English one must be long ("curtians") or differ by a swap of letters ("lihgt").
            if (e.kind == EntryKind::kind && units[i].kind != UnitKind::han &&
                (n != 1 || (units[i].text.size() < 6 && !swapped(units[i].text, e.phrase.front().text))))
                continue;
            if (const auto score = sound_alike(units, i, e))
                fuzzy.push_back(Mention{i, i + n, e.kind, false, {}, {&e}, *score});
        }
    }
    std::stable_sort(fuzzy.begin(), fuzzy.end(), better);
    std::vector<bool> dropped(chosen.size(), false);
    for (const auto& m : fuzzy) {
        if (!claimable(m.begin, m.end)) {
            add_alternative(chosen, m);
            continue;
        }
        for (std::size_t k = m.begin; k < m.end; ++k) {
            if (owner[k] != kFree) dropped[static_cast<std::size_t>(owner[k])] = true;
            owner[k] = static_cast<long>(chosen.size());
        }
        chosen.push_back(m);
        dropped.push_back(false);
    }
    std::vector<Mention> kept;
    for (std::size_t c = 0; c < chosen.size(); ++c)
        if (!dropped[c]) kept.push_back(std::move(chosen[c]));
    chosen = std::move(kept);
    // A word of a name said without the rest ("lock the front door" for "front door lock") is known:
    // it is no unexplained device word. A near spelling of one counts too ("frnt").
    std::vector<bool> covered(units.size(), false);
    for (const auto& m : chosen)
        for (std::size_t k = m.begin; k < m.end; ++k) covered[k] = true;
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (covered[i] || units[i].kind != UnitKind::word) continue;
        const auto& w = units[i].text;
        const bool known = std::any_of(name_words_.begin(), name_words_.end(), [&](const std::string& n) {
            return n == w || (w.size() >= 4 && n.size() >= 4 && n.front() == w.front() && edit_distance(w, n) <= 1);
        });
        if (known) chosen.push_back(Mention{i, i + 1, EntryKind::cue, false, {}, {&name_word_}, 1.0});
    }
    std::sort(chosen.begin(), chosen.end(), [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
    return chosen;
}

}  // namespace hearth::nlu
