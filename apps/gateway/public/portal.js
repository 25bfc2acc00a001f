// The customer portal's script: small enhancements on pages that already work without it.
// Every action is a plain form post; this only makes them nicer (auto-submitting filters, a
// formatting toolbar for replies, a confirmation before closing, export progress without reloads).
(function () {
  'use strict';

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

  // The reply box becomes a small rich-text editor (bold, italic, lists, links). The textarea stays
  // in the form for browsers without script; inbox sanitises the HTML with its allow-list.
  function editors() {
    each('[data-editor]', function (container) {
      var form = container.closest('form');
      var textarea = container.querySelector('textarea');
      var htmlField = form && form.querySelector('input[name="bodyHtml"]');
      if (!form || !textarea || !htmlField || !document.execCommand) return;
      var label = form.querySelector('label[for="' + textarea.id + '"]');
      if (label && !label.id) label.id = textarea.id + '-label';

      var toolbar = document.createElement('div');
      toolbar.className = 'editor-toolbar';
      toolbar.setAttribute('role', 'toolbar');
      toolbar.setAttribute('aria-label', container.getAttribute('data-label-formatting') || 'Formatting');

      var area = document.createElement('div');
      area.className = 'editor-area prose';
      area.contentEditable = 'true';
      area.setAttribute('role', 'textbox');
      area.setAttribute('aria-multiline', 'true');
      area.setAttribute('tabindex', '0');
      if (label) area.setAttribute('aria-labelledby', label.id);
      var described = textarea.getAttribute('aria-describedby');
      if (described) area.setAttribute('aria-describedby', described);
      if (textarea.getAttribute('aria-invalid')) area.setAttribute('aria-invalid', 'true');
      area.innerHTML = textToHtml(textarea.value);

      var svg = function (path) {
        return (
          '<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false"><path fill="currentColor" d="' +
          path +
          '"/></svg>'
        );
      };
      var buttons = [
        {
          command: 'bold',
          label: 'data-label-bold',
          icon: svg(
            'M6 3.5h4.6c2.2 0 3.7 1.2 3.7 3 0 1.2-.7 2.1-1.7 2.5 1.4.4 2.3 1.4 2.3 2.9 0 2.1-1.7 3.6-4.2 3.6H6v-12Zm2.2 2v3h2.1c1.1 0 1.8-.6 1.8-1.5s-.7-1.5-1.8-1.5H8.2Zm0 5v3.5h2.4c1.3 0 2.1-.7 2.1-1.8s-.8-1.7-2.1-1.7H8.2Z',
          ),
        },
        {
          command: 'italic',
          label: 'data-label-italic',
          icon: svg('M8.5 3.5h6.5v1.8h-2.3l-2.4 8.9h2.2V16H6v-1.8h2.3l2.4-8.9H8.5V3.5Z'),
        },
        {
          command: 'insertUnorderedList',
          label: 'data-label-bullets',
          icon: svg(
            'M4 5a1.2 1.2 0 1 1 0 2.4A1.2 1.2 0 0 1 4 5Zm3 .4h10v1.6H7V5.4ZM4 8.8a1.2 1.2 0 1 1 0 2.4 1.2 1.2 0 0 1 0-2.4Zm3 .4h10v1.6H7V9.2Zm-3 3.4a1.2 1.2 0 1 1 0 2.4 1.2 1.2 0 0 1 0-2.4Zm3 .4h10v1.6H7V13Z',
          ),
        },
        {
          command: 'insertOrderedList',
          label: 'data-label-numbers',
          icon: svg(
            'M3 4h1.6v3.6H3.7V5H3V4Zm4 1.4h10v1.6H7V5.4Zm0 3.8h10v1.6H7V9.2ZM7 13h10v1.6H7V13ZM2.8 9.3c.3-.6.9-.9 1.5-.9.8 0 1.4.5 1.4 1.2 0 .5-.3.9-.9 1.4l-.5.4h1.4v.9H2.8v-.8l1.4-1.2c.4-.3.5-.5.5-.7 0-.2-.2-.4-.4-.4s-.4.1-.6.4l-.9-.3Zm.1 3.3h2.6v.8l-.9.8c.6.1 1 .5 1 1.1 0 .8-.7 1.3-1.6 1.3-.6 0-1.2-.3-1.4-.8l.8-.4c.1.2.3.4.6.4s.5-.2.5-.4-.2-.4-.6-.4h-.4v-.7l.7-.6H2.9v-.8Z',
          ),
        },
        {
          command: 'createLink',
          label: 'data-label-link',
          icon: svg(
            'M8.6 11.4a3 3 0 0 0 4.2 0l2.5-2.5a3 3 0 0 0-4.2-4.2l-.9.9 1.1 1.1.9-.9a1.4 1.4 0 0 1 2 2l-2.5 2.5a1.4 1.4 0 0 1-2 0l-1.1 1.1Zm2.8-2.8a3 3 0 0 0-4.2 0l-2.5 2.5a3 3 0 0 0 4.2 4.2l.9-.9-1.1-1.1-.9.9a1.4 1.4 0 0 1-2-2l2.5-2.5a1.4 1.4 0 0 1 2 0l1.1-1.1Z',
          ),
        },
      ];
      buttons.forEach(function (spec) {
        var button = document.createElement('button');
        button.type = 'button';
        button.innerHTML = spec.icon;
        var name = container.getAttribute(spec.label) || spec.command;
        button.setAttribute('aria-label', name);
        button.title = name;
        if (spec.command !== 'createLink') button.setAttribute('aria-pressed', 'false');
        button.setAttribute('data-command', spec.command);
        button.addEventListener('mousedown', function (event) {
          event.preventDefault(); // keep the selection in the editor
        });
        button.addEventListener('click', function () {
          area.focus();
          if (spec.command === 'createLink') {
            var url = window.prompt(
              container.getAttribute('data-label-link-prompt') || 'https://',
              'https://',
            );
            if (!url) return;
            url = url.trim();
            if (!/^(https?:\/\/|mailto:)/i.test(url)) url = 'https://' + url;
            var selection = window.getSelection();
            if (selection && selection.isCollapsed) {
              document.execCommand(
                'insertHTML',
                false,
                '<a href="' + escapeHtml(url) + '">' + escapeHtml(url) + '</a>',
              );
            } else {
              document.execCommand('createLink', false, url);
            }
          } else {
            document.execCommand(spec.command, false);
          }
          updateState();
        });
        toolbar.appendChild(button);
      });

      function updateState() {
        each(
          'button[aria-pressed]',
          function (button) {
            var on = false;
            try {
              on = document.queryCommandState(button.getAttribute('data-command'));
            } catch (e) {
              on = false;
            }
            button.setAttribute('aria-pressed', on ? 'true' : 'false');
          },
          toolbar,
        );
      }

      // Pasted content arrives as plain text: no foreign styles or scripts in the reply.
      area.addEventListener('paste', function (event) {
        var data = event.clipboardData && event.clipboardData.getData('text/plain');
        if (typeof data !== 'string') return;
        event.preventDefault();
        document.execCommand('insertHTML', false, textToHtml(data) || escapeHtml(data));
      });
      area.addEventListener('keyup', updateState);
      area.addEventListener('mouseup', updateState);
      area.addEventListener('input', function () {
        textarea.value = area.innerText;
      });

      textarea.hidden = true;
      textarea.removeAttribute('required');
      container.insertBefore(toolbar, textarea);
      container.insertBefore(area, textarea);
      var hint = form.querySelector('[data-editor-hint]');
      if (hint) hint.hidden = true;
      if (label) {
        label.addEventListener('click', function () {
          area.focus();
        });
      }

      form.addEventListener('submit', function () {
        var text = area.innerText.replace(/\u00a0/g, ' ').trim();
        htmlField.value = text ? area.innerHTML : '';
        textarea.value = text;
      });
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
          // A refusal is a whole page (with the reason): show it as the browser would have.
          var page = new DOMParser().parseFromString(xhr.responseText, 'text/html');
          document.replaceChild(document.adoptNode(page.documentElement), document.documentElement);
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
    editors();
    uploadProgress();
    exportProgress();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
