// The customer portal's script: small enhancements on pages that already work without it.
// Every action is a plain form post; this only makes them nicer (auto-submitting filters, a
// rich-text editor for replies, a confirmation before closing, export progress without reloads).
(function () {
  'use strict';

  // The nonce this document's policy allows, kept from the start: a page put in its place by script
  // (a refused upload) has another response's nonces in it.
  var documentNonce = document.currentScript ? document.currentScript.nonce : '';

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  // Filters apply as soon as a choice changes.
  function autosubmit() {
    each('[data-autosubmit]', function (select) {
      select.addEventListener('change', function () {
        var form = select.form;
        if (!form) return;
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      });
    });
  }

  // "Close ticket" and the like ask first.
  function confirmations() {
    each('form[data-confirm]', function (form) {
      form.addEventListener('submit', function (event) {
        if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
      });
    });
  }

  // A form is sent once: its submit button is disabled and says so.
  function submitOnce() {
    each('form[data-submit-once]', function (form) {
      form.addEventListener('submit', function (event) {
        if (event.defaultPrevented) return;
        if (form.getAttribute('data-sent')) {
          event.preventDefault();
          return;
        }
        form.setAttribute('data-sent', '1');
        var button = form.querySelector('button[type="submit"]');
        if (button) {
          var sending = button.getAttribute('data-sending-text');
          if (sending) button.textContent = sending;
          button.setAttribute('aria-disabled', 'true');
          button.classList.add('is-disabled');
        }
      });
    });
  }

  function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  function textToHtml(text) {
    return text
      .replace(/\r\n?/g, '\n')
      .split(/\n{2,}/)
      .map(function (paragraph) {
        return paragraph.trim();
      })
      .filter(Boolean)
      .map(function (paragraph) {
        return '<p>' + paragraph.split('\n').map(escapeHtml).join('<br>') + '</p>';
      })
      .join('');
  }

  // Trix writes each block as a bare <div> (its own serialisation: text inside is escaped, so this
  // matches tags only); a reply keeps them as paragraphs, which inbox's allow-list has. Parsing the
  // HTML instead would trip the page's CSP on the style Trix gives a selection while a dialog is open.
  function paragraphs(html) {
    return html.replace(/<(\/?)div>/g, '<$1p>');
  }

  // The reply box becomes Trix (the rich-text editor served with the page: bold, italic, lists,
  // links) with the page's own toolbar from its template, labelled in the page's language. Without
  // Trix the textarea stays and the reply is sent as text. The editor keeps the form's fields
  // current: bodyHtml (which inbox sanitises with its allow-list) and the text, which comes back as
  // the draft when a reply is refused.
  function editors() {
    if (!window.Trix) return;
    each('[data-editor]', function (container) {
      var form = container.closest('form');
      var textarea = container.querySelector('textarea');
      var template = container.querySelector('template[data-editor-toolbar]');
      if (!form || !textarea || !template) return;
      var htmlField = form.querySelector('input[name="bodyHtml"]');
      var label = form.querySelector('label[for="' + textarea.id + '"]');
      var hint = form.querySelector('[data-editor-hint]');
      if (!htmlField || !label) return;

      container.insertBefore(document.importNode(template.content, true), textarea);
      var toolbar = container.querySelector('trix-toolbar');
      var editor = document.createElement('trix-editor');
      editor.id = textarea.id + '-editor';
      editor.className = 'editor-area prose';
      editor.setAttribute('toolbar', toolbar.id);
      if (!label.id) label.id = textarea.id + '-label';
      editor.setAttribute('aria-labelledby', label.id);
      label.htmlFor = editor.id;
      var described = (textarea.getAttribute('aria-describedby') || '')
        .split(' ')
        .filter(function (id) {
          return id && !(hint && hint.id === id);
        })
        .join(' ');
      if (described) editor.setAttribute('aria-describedby', described);
      if (textarea.getAttribute('aria-invalid')) editor.setAttribute('aria-invalid', 'true');
      // A refused reply comes back with its text as the draft.
      editor.innerHTML = textToHtml(textarea.value);

      editor.addEventListener('trix-change', function () {
        var text = editor.editor.getDocument().toString().trim();
        textarea.value = text;
        htmlField.value = text ? paragraphs(editor.value) : '';
      });
      // Files are attached with "Attach files" below, not dropped or pasted into the text.
      editor.addEventListener('trix-file-accept', function (event) {
        event.preventDefault();
      });
      editor.addEventListener('trix-attachment-add', function (event) {
        event.attachment.remove();
      });

      // Trix acts on a button's mousedown, so a button pressed with the keyboard (a click without a
      // mousedown before it) is handed to it the same way.
      var pressed = null;
      toolbar.addEventListener(
        'mousedown',
        function (event) {
          pressed = event.target.closest('button');
        },
        true,
      );
      toolbar.addEventListener('click', function (event) {
        var button = event.target.closest('button[data-trix-attribute]');
        if (button && button !== pressed)
          button.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true }));
        pressed = null;
      });
      // Trix marks the formats in force with data-trix-active; a screen reader hears aria-pressed.
      new MutationObserver(function () {
        each(
          'button[aria-pressed]',
          function (button) {
            button.setAttribute('aria-pressed', button.hasAttribute('data-trix-active') ? 'true' : 'false');
          },
          toolbar,
        );
      }).observe(toolbar, { subtree: true, attributeFilter: ['data-trix-active'] });

      textarea.hidden = true;
      if (hint) hint.hidden = true;
      container.insertBefore(editor, textarea);
    });
  }

  // A reply with files shows how far the upload has got. The form is sent as it would be without
  // script (same fields, same answer), only through XMLHttpRequest for its progress events.
  function uploadProgress() {
    each('form[data-reply-form]', function (form) {
      var input = form.querySelector('input[type="file"]');
      var bar = form.querySelector('[data-upload-progress]');
      if (!input || !bar || !window.FormData || !window.XMLHttpRequest) return;
      form.addEventListener('submit', function (event) {
        if (event.defaultPrevented || !input.files || input.files.length === 0) return;
        event.preventDefault();
        var xhr = new XMLHttpRequest();
        xhr.open('POST', form.action);
        bar.hidden = false;
        bar.removeAttribute('value');
        xhr.upload.addEventListener('progress', function (progress) {
          if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
        });
        xhr.addEventListener('load', function () {
          if (xhr.status < 400 && xhr.responseURL) {
            window.location.assign(xhr.responseURL);
            return;
          }
          // A refusal is a whole page (with the reason and the typed reply): show it as the browser
          // would have. Its theme's style block (the first in its head, before any data) carries its
          // own response's nonce, which this document's policy does not know: it gets this
          // document's, or the CSP refuses the theme (already while parsing, which applies this
          // document's policy). Its scripts do not run, so this one starts its parts again; the
          // editor's own styles, which Trix put in this head once, move to the new one.
          var html = xhr.responseText.replace(
            /<style nonce="[^"]*">/,
            '<style nonce="' + documentNonce + '">',
          );
          var page = new DOMParser().parseFromString(html, 'text/html');
          var editorStyles = document.head.querySelectorAll('style[data-tag-name]');
          document.replaceChild(document.adoptNode(page.documentElement), document.documentElement);
          Array.prototype.forEach.call(editorStyles, function (style) {
            document.head.appendChild(style);
          });
          start();
          editors();
        });
        xhr.addEventListener('error', function () {
          bar.hidden = true;
          form.removeAttribute('data-sent');
          form.submit();
        });
        xhr.send(new FormData(form));
      });
    });
  }

  // The export page follows the job without reloading and offers the file when it is ready.
  function exportProgress() {
    var card = document.querySelector('[data-export]');
    if (!card) return;
    var url = card.getAttribute('data-status-url');
    var message = card.querySelector('[data-export-message]');
    var bar = card.querySelector('[data-export-bar]');
    var download = card.querySelector('[data-export-download]');
    var refresh = card.querySelector('[data-export-refresh]');
    var expires = card.querySelector('[data-export-expires]');
    if (download && !download.hidden) return; // already done
    if (refresh) refresh.hidden = true;
    var delay = 700;

    function poll() {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('status ' + response.status);
          return response.json();
        })
        .then(function (state) {
          if (message) message.textContent = state.message;
          if (state.status === 'failed' && message) message.classList.add('is-error');
          if (state.finished) {
            if (bar) bar.value = 100;
            if (state.downloadUrl && download) {
              download.href = state.downloadUrl;
              download.hidden = false;
              download.focus();
            }
            if (state.expires && expires) {
              expires.textContent = state.expires;
              expires.hidden = false;
            }
            return;
          }
          delay = Math.min(delay * 1.3, 3000);
          window.setTimeout(poll, delay);
        })
        .catch(function () {
          if (refresh) refresh.hidden = false;
        });
    }
    window.setTimeout(poll, delay);
  }

  function start() {
    autosubmit();
    confirmations();
    submitOnce();
    uploadProgress();
    exportProgress();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
  // Trix is loaded after this script (deferred as well): it has run by DOMContentLoaded.
  document.addEventListener('DOMContentLoaded', editors);
})();

// Registration, password reset and invitation pages (S10): "Show password" shows the password
// fields named in data-show-password as text. Without script the checkbox stays hidden.
(function () {
  'use strict';

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-show-password]'), function (box) {
      var toggle = box.querySelector('input[type="checkbox"]');
      var fields = box
        .getAttribute('data-show-password')
        .split(' ')
        .map(function (id) {
          return document.getElementById(id);
        })
        .filter(Boolean);
      if (!toggle || !fields.length) return;
      function show(visible) {
        fields.forEach(function (field) {
          field.type = visible ? 'text' : 'password';
        });
      }
      box.hidden = false;
      toggle.addEventListener('change', function () {
        show(toggle.checked);
      });
      // Sent as a password field, so that password managers offer to save it.
      if (toggle.form)
        toggle.form.addEventListener('submit', function () {
          show(false);
        });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

// Submit a ticket (P5): after a refused post the error summary takes the focus, so the customer
// hears what to fix first; the "request received" page goes on to the new ticket once it exists,
// checking a little less often each time, for at most half a minute.
(function () {
  'use strict';

  function focusErrors() {
    var summary = document.querySelector('[data-error-summary]');
    if (summary) summary.focus();
  }

  function followSubmission() {
    var card = document.querySelector('[data-submission]');
    if (!card) return;
    var url = card.getAttribute('data-status-url');
    var message = card.querySelector('[data-submission-message]');
    var refresh = card.querySelector('[data-submission-refresh]');
    if (refresh) refresh.hidden = true;
    var deadline = Date.now() + 30000;
    var delay = 300;

    function later() {
      if (message) message.textContent = card.getAttribute('data-shortly-text');
      if (refresh) refresh.hidden = false;
    }

    function check() {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('status ' + response.status);
          return response.json();
        })
        .then(function (state) {
          if (state.ticketHref) return window.location.replace(state.ticketHref);
          // Delivered without a ticket to show here: the page says so itself.
          if (!state.pending) return window.location.reload();
          delay = Math.min(delay * 1.5, 3000);
          if (Date.now() + delay > deadline) return later();
          window.setTimeout(check, delay);
        })
        .catch(later);
    }
    window.setTimeout(check, delay);
  }

  function start() {
    focusErrors();
    followSubmission();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
