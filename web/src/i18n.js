// Chinese and English. The browser's language picks one at first; the choice is kept in localStorage.
import { signal } from './store.js';

const en = {
  title: 'Hearth', signIn: 'Sign in', token: 'Access token', tokenHint: 'Paste a token (hearthctl token create NAME, or var/owner.token).',
  signOut: 'Sign out', home: 'Home', voice: 'Voice', scenes: 'Scenes', rules: 'Rules', notifications: 'Notifications', settings: 'Settings',
  online: 'online', offline: 'offline', unknown: 'unknown', connecting: 'Connecting to the hub…', reconnecting: 'Hub unreachable — reconnecting…',
  live: 'live', on: 'On', off: 'Off', brightness: 'Brightness', color_temp: 'Colour temp.', target_temperature: 'Target', position: 'Position',
  volume: 'Volume', play: 'Play', pause: 'Pause', stop: 'Stop', next: 'Next', lock: 'Lock', unlock: 'Unlock', locked: 'locked', unlocked: 'unlocked',
  start: 'Start', dock: 'Dock', open: 'Open', close: 'Close', temperature: 'Temperature', humidity: 'Humidity', battery: 'Battery',
  say: 'Say', sayPlaceholder: 'Type what you would say, e.g. 我困了 or “turn off the kitchen light”', dryRun: 'Dry run (send nothing)',
  understood: 'Understood', notUnderstood: 'Not understood', intent: 'Intent', commands: 'Commands', reply: 'Reply', undo: 'Undo', undone: 'Undone',
  nothingSent: 'nothing sent (dry run)', history: 'History', traces: 'Traces', range: 'Range', h1: '1 hour', h6: '6 hours', h24: '24 hours', d7: '7 days',
  noHistory: 'No recorded changes in this range.', noTraces: 'No traces name this device.', back: 'Back', activate: 'Activate', runNow: 'Run now',
  enabled: 'enabled', disabled: 'disabled', lastRun: 'Last run', never: 'never', why: 'why', whyNot: 'why not', trigger: 'Trigger', outcome: 'Outcome',
  tokens: 'Tokens', create: 'Create', name: 'Name', scope: 'Scope', created: 'Created', revoke: 'Revoke', secretOnce: 'Copy it now — it is shown only this once:',
  language: 'Language', theme: 'Theme', light: 'Light', dark: 'Dark', system: 'System', nothing: 'Nothing yet.', sent: 'sent', confirmed: 'confirmed',
  unavailable: 'unavailable', state: 'State', cause: 'cause', device: 'Device', ok: 'OK', error: 'Error', badToken: 'The hub refused this token',
  unreachable: 'The hub cannot be reached', running: 'running', mode: 'Mode', fan: 'Fan', media: 'Media', track: 'Track', hvac_mode: 'Mode', fan_speed: 'Fan', occupancy: 'Occupied',
  illuminance: 'Light', power: 'Power', contact: 'Closed', cleaning: 'Cleaning', yes: 'yes', no: 'no', enable: 'Enable', disable: 'Disable', save: 'Save', cancel: 'Cancel', edit: 'Edit',
  editYaml: 'Edit as YAML', newRule: 'New rule', lineColumn: 'line {line}, column {column}', delete: 'Delete', reallyDelete: 'Delete?', deleted: 'deleted',
  areas: 'Rooms', areasHint: 'Add, rename and delete rooms, and move devices between them →', rename: 'Rename', moveTo: 'Move to', noDevices: 'No devices.', noArea: 'In no known room', adminOnly: 'Only an admin token can change rooms.',
  reloadPage: 'This page could not be loaded (reload the dashboard)', from: 'From', to: 'To', show: 'Show', badTime: 'Choose both times.', fromBeforeTo: '“From” must be before “To”.',
};
const zh = {
  title: 'Hearth 家庭中枢', signIn: '登录', token: '访问令牌', tokenHint: '粘贴一个令牌（hearthctl token create 名称，或 var/owner.token）。',
  signOut: '退出', home: '家', voice: '语音', scenes: '场景', rules: '规则', notifications: '通知', settings: '设置',
  online: '在线', offline: '离线', unknown: '未知', connecting: '正在连接中枢…', reconnecting: '中枢无法访问——正在重连…',
  live: '实时', on: '开', off: '关', brightness: '亮度', color_temp: '色温', target_temperature: '目标温度', position: '位置',
  volume: '音量', play: '播放', pause: '暂停', stop: '停止', next: '下一首', lock: '上锁', unlock: '开锁', locked: '已上锁', unlocked: '未上锁',
  start: '开始', dock: '回充', open: '打开', close: '关闭', temperature: '温度', humidity: '湿度', battery: '电量',
  say: '说', sayPlaceholder: '输入你想说的话，例如：我困了、把厨房的灯关掉', dryRun: '试运行（不发送）',
  understood: '已理解', notUnderstood: '没听懂', intent: '意图', commands: '命令', reply: '回复', undo: '撤销', undone: '已撤销',
  nothingSent: '未发送（试运行）', history: '历史', traces: '追踪', range: '范围', h1: '1 小时', h6: '6 小时', h24: '24 小时', d7: '7 天',
  noHistory: '这段时间没有记录的变化。', noTraces: '没有涉及此设备的追踪。', back: '返回', activate: '执行', runNow: '立即运行',
  enabled: '已启用', disabled: '已停用', lastRun: '上次运行', never: '从未', why: '原因', whyNot: '未执行原因', trigger: '触发', outcome: '结果',
  tokens: '令牌', create: '创建', name: '名称', scope: '权限', created: '创建于', revoke: '吊销', secretOnce: '请立即复制——只显示这一次：',
  language: '语言', theme: '主题', light: '浅色', dark: '深色', system: '跟随系统', nothing: '暂无。', sent: '已发送', confirmed: '已确认',
  unavailable: '不可用', state: '状态', cause: '原因', device: '设备', ok: '好', error: '错误', badToken: '中枢拒绝了这个令牌',
  unreachable: '无法访问中枢', running: '运行中', mode: '模式', fan: '风速', media: '媒体', track: '曲目', hvac_mode: '模式', fan_speed: '风速', occupancy: '有人',
  illuminance: '照度', power: '功率', contact: '关闭', cleaning: '清扫', yes: '是', no: '否', enable: '启用', disable: '停用', save: '保存', cancel: '取消', edit: '编辑',
  editYaml: '以 YAML 编辑', newRule: '新规则', lineColumn: '第 {line} 行，第 {column} 列', delete: '删除', reallyDelete: '确定删除？', deleted: '已删除',
  areas: '房间', areasHint: '添加、改名、删除房间，在房间之间移动设备 →', rename: '改名', moveTo: '移到', noDevices: '没有设备。', noArea: '不在已知房间', adminOnly: '只有管理员令牌可以修改房间。',
  reloadPage: '无法加载此页面（请重新加载仪表盘）', from: '从', to: '到', show: '显示', badTime: '请选择两个时间。', fromBeforeTo: '“从”必须早于“到”。',
};
const tables = { en, zh };

const stored = localStorage.getItem('hearth.lang');
export const lang = signal(stored || ((navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en'));
export function setLang(l) { localStorage.setItem('hearth.lang', l); lang.set(l); document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'; }
export const t = (key) => tables[lang.get()][key] ?? en[key] ?? key;
/** A {zh, en} name from the API in the current language. */
export const nameOf = (n, fallback = '') => (n && (n[lang.get()] || n.en || n.zh)) || fallback;
