// The widget's style sheet, applied inside its shadow root only. `:host { all: initial !important }`
// cuts every inherited property the host page could push in (an !important declaration of the
// shadow tree wins over the page's, CSS Cascade 4 §6.4), and every element below sets its own font
// and colours, so rules like `* { color: red !important; font-size: 40px }` on the page change
// nothing here.

import { feedbackCss } from "../src/answer-feedback-css.js";

export const css = `
:host { all: initial !important; display: block !important; position: static !important; }
.root { --brand: #3b3fd8; --brand-ink: #fff; --brand-text: #3b3fd8; --ink: #1d2330; --muted: #5b6270; --bot: #eef0f6; --op: #fdf1c7;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  -webkit-text-size-adjust: 100%; }
.root *, .root *::before, .root *::after { box-sizing: border-box; font: inherit; color: inherit; letter-spacing: normal;
  text-transform: none; text-align: left; }
.launcher { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; width: 58px; height: 58px; border-radius: 50%;
  border: 0; padding: 0; margin: 0; background: var(--brand); color: var(--brand-ink); cursor: pointer; display: grid;
  place-items: center; box-shadow: 0 6px 24px rgba(20, 24, 40, .28); }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.left .launcher { right: auto; left: 20px; }
.panel { position: fixed; bottom: 92px; right: 20px; z-index: 2147483000; width: 380px; height: min(620px, calc(100vh - 112px));
  background: #fff; border-radius: 16px; box-shadow: 0 16px 48px rgba(20, 24, 40, .24); display: flex;
  flex-direction: column; overflow: hidden; }
.left .panel { right: auto; left: 20px; }
.panel[hidden] { display: none; }
.head { display: flex; gap: 10px; align-items: center; padding: 12px 12px 12px 16px; background: var(--brand); color: var(--brand-ink); }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 50%; background: rgba(255,255,255,.22); display: grid;
  place-items: center; font-weight: 700; font-size: 17px; }
.title { flex: 1; min-width: 0; }
.title h2 { margin: 0; font-size: 16px; font-weight: 650; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.state { display: block; font-size: 12px; opacity: .92; }
.state[data-status="online"]::before { content: "● "; color: #9ef0b5; }
.close { flex: none; width: 36px; height: 36px; border: 0; border-radius: 8px; background: transparent; color: inherit;
  cursor: pointer; font-size: 22px; line-height: 1; display: grid; place-items: center; }
.close:hover { background: rgba(255,255,255,.16); }
.alert { margin: 10px 12px 0; padding: 10px 12px; border-radius: 10px; background: #fde8e8; color: #8a1c1c; font-size: 13.5px; }
.alert[hidden] { display: none; }
.log { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 14px; display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 85%; padding: 8px 12px 6px; border-radius: 14px; }
.msg .who { display: block; font-size: 11.5px; color: var(--muted); margin-bottom: 1px; }
.msg .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg time { display: block; text-align: right; font-size: 11px; color: var(--muted); margin-top: 2px; }
.msg-bot, .msg-operator, .msg-typing { align-self: flex-start; background: var(--bot); border-bottom-left-radius: 4px; }
.msg-operator { background: var(--op); }
.msg-visitor { align-self: flex-end; background: var(--brand); color: var(--brand-ink); border-bottom-right-radius: 4px; }
.msg-visitor .who, .msg-visitor time { color: var(--brand-ink); opacity: .88; }
.msg.sending { opacity: .7; }
.msg.draft .text::after { content: "▍"; animation: blink 1s steps(1) infinite; }
@keyframes blink { 50% { opacity: 0; } }
.typing .dots { display: inline-flex; gap: 4px; margin-top: 4px; }
.typing .dots i { width: 7px; height: 7px; border-radius: 50%; background: var(--muted); opacity: .4; animation: dot 1.2s infinite ease-in-out; }
.typing .dots i:nth-child(2) { animation-delay: .15s; }
.typing .dots i:nth-child(3) { animation-delay: .3s; }
@keyframes dot { 30% { opacity: 1; transform: translateY(-2px); } 60% { opacity: .4; transform: none; } }
.msg sup.cite { font-size: .72em; line-height: 0; margin-left: 1px; vertical-align: super; }
.msg sup.cite a { color: var(--brand-text); text-decoration: none; font-weight: 650; padding: 0 1px; }
.msg .sources { margin-top: 6px; padding-top: 5px; border-top: 1px solid rgba(29, 35, 48, .12); font-size: 12.5px; color: var(--muted); }
.msg .sources-title { display: block; font-weight: 650; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.msg .sources ol { margin: 0; padding-left: 20px; }
.msg .sources li { overflow-wrap: anywhere; border-radius: 4px; }
.msg .sources li.flash { animation: flash 1.4s ease-out; }
@keyframes flash { from { background: #c7d2fe; } to { background: transparent; } }
/* answer feedback (../src/answer-feedback-css.ts) */
${feedbackCss}
.bar { display: flex; justify-content: flex-end; padding: 0 12px; }
.handoff { border: 1px solid #c9cdd8; background: #fff; color: var(--ink); border-radius: 999px; padding: 5px 12px;
  font-size: 13px; cursor: pointer; margin: 0 0 8px; }
.handoff:hover { background: #f4f5fa; }
.handoff[hidden] { display: none; }
.composer { display: flex; gap: 8px; padding: 10px 12px 12px; border-top: 1px solid #e3e5ec; margin: 0; }
.composer textarea { flex: 1; min-width: 0; resize: none; border: 1px solid #b9beca; border-radius: 10px; padding: 9px 10px;
  background: #fff; color: var(--ink); height: 42px; max-height: 120px; margin: 0; }
.composer button { border: 0; border-radius: 10px; background: var(--brand); color: var(--brand-ink); padding: 0 16px;
  cursor: pointer; margin: 0; font-weight: 600; }
.composer button:disabled { background: #8c8fb8; cursor: default; }
button:focus-visible, textarea:focus-visible, a:focus-visible, .log:focus-visible, .sources li:focus-visible {
  outline: 3px solid #f59e0b; outline-offset: 2px; }
.head button:focus-visible { outline-color: var(--brand-ink); outline-offset: -3px; }
.chips { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 6px; padding: 0 12px 8px; }
.chips[hidden] { display: none; }
.chips .chip { border: 1.5px solid var(--brand-text); border-radius: 999px; background: #fff; color: var(--brand-text);
  padding: 5px 12px; margin: 0; font-size: 13.5px; cursor: pointer; max-width: 100%; overflow-wrap: anywhere; }
.chips .chip:hover:not(:disabled) { background: var(--brand); border-color: var(--brand); color: var(--brand-ink); }
.chips .chip:disabled { opacity: .55; cursor: default; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) {
  .panel, .left .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
  .open .launcher { display: none; }
  .msg { max-width: 90%; }
}
@media (prefers-reduced-motion: reduce) { .root * { animation: none !important; } }
.composer button.attach { background: transparent; color: var(--ink); padding: 0 6px; display: grid; place-items: center; }
.attachment { margin-top: 6px; }
.attachment-thumb { display: block; padding: 0; border: 0; background: none; cursor: zoom-in; border-radius: 8px; overflow: hidden; max-width: 100%; }
.attachment-thumb img { display: block; max-width: 100%; height: auto; border-radius: 8px; }
.attachment-file { color: inherit; font-weight: 600; overflow-wrap: anywhere; }
.msg .attachment-badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 1px 5px; border-radius: 4px; background: #b42318; color: #fff; text-decoration: none; vertical-align: 1px; }
.msg.failed { background: #fdecea !important; color: #7a1a12 !important; }
.msg.failed .text { color: #7a1a12; }
.msg.failed .who { color: #7a1a12; }
dialog.lightbox { border: 0; padding: 0; background: transparent; max-width: 96vw; max-height: 96vh; }
dialog.lightbox::backdrop { background: rgba(10, 12, 18, .82); }
dialog.lightbox img { display: block; max-width: 96vw; max-height: 92vh; object-fit: contain; }
dialog.lightbox .lightbox-close { position: fixed; top: 12px; right: 16px; font-size: 28px; color: #fff; background: none; border: 0; cursor: pointer; }
`;
