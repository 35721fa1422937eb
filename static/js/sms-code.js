// The SMS-code button of registration, password reset and the appeals, one
// implementation for all three: it asks the API for a code, says where the
// code went and for how long it is valid, counts down to the next allowed
// request (the answer's resend_after_seconds, or a 429's wait) and shows
// refusals on the page's own inputs. A 429 (a code sent too recently, the
// number's hourly cap, the client's limit) is about pressing the button
// again: its error goes on the input beside the button, and the button
// counts the wait down.
import { t, both } from './i18n.js';
import { api, errorsOf, retryAfter } from './api.js';
import { clearErrors, showErrors } from './form.js';

const DEFAULT_RESEND_SECONDS = 60;
const DEFAULT_VALID_MINUTES = 10;

/**
 * options:
 * - button: the send button; status: the status line (role=status).
 * - form: where errors are shown (form.js); beside: the name of the input
 *   next to the button, where a 429 is shown.
 * - request(): what to send, { path, json }, or { error } (an error
 *   object, e.g. the mobile is empty) to show instead of sending.
 * - field(name): the page's input for a field the API names (default: the
 *   same name).
 * - onSent(body, request) after a 202; onRefused(res) after showing any
 *   other refusal.
 * Returns { send, reset, stop, sent }.
 */
export function smsCode({ button, status, form, beside, request, field = (name) => name, onSent, onRefused }) {
  let sent = false;
  let countdown = null; // { until: ms timestamp, timer }
  let note = null; // () => the status line's text, re-run on language change

  function render() {
    if (countdown) {
      const left = Math.max(0, Math.ceil((countdown.until - Date.now()) / 1000));
      if (left > 0) {
        button.disabled = true;
        button.textContent = t('sms.resend_in', { n: left });
        return;
      }
      stop();
    }
    button.disabled = false;
    button.textContent = t(sent ? 'sms.resend' : 'sms.send');
  }

  function stop() {
    if (countdown) clearInterval(countdown.timer);
    countdown = null;
  }

  function wait(seconds) {
    stop();
    countdown = { until: Date.now() + seconds * 1000, timer: setInterval(render, 1000) };
    render();
  }

  function setNote(fn) {
    note = fn;
    status.textContent = fn ? fn() : '';
    status.hidden = !fn;
  }

  async function send() {
    if (countdown || button.disabled) return;
    clearErrors();
    const req = request();
    if (req.error) {
      showErrors(form, [req.error]);
      return;
    }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.textContent = t('sms.sending');
    let res = null;
    try {
      res = await api(req.path, { json: req.json });
    } catch {
      showErrors(form, [both('error.network')]);
    } finally {
      button.removeAttribute('aria-busy');
    }
    if (res?.status === 202) {
      const { mobile_masked: masked, expires_in_seconds: expires, resend_after_seconds: resend } = res.body;
      const minutes = Math.max(1, Math.round(Number(expires) / 60) || DEFAULT_VALID_MINUTES);
      sent = true;
      setNote(() => t('sms.sent', { m: masked, n: minutes }));
      wait(Number(resend) > 0 ? Number(resend) : DEFAULT_RESEND_SECONDS);
      onSent?.(res.body, req);
      return;
    }
    if (res?.status === 429) {
      const seconds = retryAfter(res);
      if (seconds) wait(seconds);
      showErrors(form, errorsOf(res).map((e) => ({ ...e, field: beside })));
    } else if (res) {
      showErrors(form, errorsOf(res).map((e) => ({ ...e, field: field(e.field) })));
      onRefused?.(res);
    }
    if (!countdown) render();
  }

  /** Back to the start: no code sent, no countdown, no status line. */
  function reset() {
    stop();
    sent = false;
    setNote(null);
    render();
  }

  document.addEventListener('langchange', () => {
    render();
    if (note) status.textContent = note();
  });
  render();
  return {
    send,
    reset,
    /** No more countdown (the form is done). */
    stop: () => { stop(); render(); },
    get sent() { return sent; },
  };
}
