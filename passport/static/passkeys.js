/* Passkeys (WebAuthn) on forms marked data-passkey="register" or data-passkey="login".
 *
 * The server puts the ceremony's options (JSON, binary values in base64url) in
 * data-passkey-options. On submit this script asks the browser for a new passkey
 * (navigator.credentials.create) or a signature (navigator.credentials.get), writes the
 * answer as JSON into the form's hidden "credential" field, and submits the form. Without
 * WebAuthn (old browser, no secure context) the message marked data-passkey-unsupported stays
 * visible and the button stays disabled (as the page serves it); without JavaScript too.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBytes(options.challenge);
    publicKey.user = Object.assign({}, options.user, { id: toBytes(options.user.id) });
    publicKey.excludeCredentials = descriptors(options.excludeCredentials);
    return publicKey;
  }

  function requestOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBytes(options.challenge);
    publicKey.allowCredentials = descriptors(options.allowCredentials);
    return publicKey;
  }

  function answer(credential, mode) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (mode === "register") {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports =
        typeof response.getTransports === "function" ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      json.response.userHandle = toBase64url(response.userHandle) || undefined;
    }
    return json;
  }

  function supported() {
    return (
      window.isSecureContext &&
      typeof window.PublicKeyCredential === "function" &&
      navigator.credentials &&
      typeof navigator.credentials.create === "function"
    );
  }

  function setUp(form) {
    var box = form.closest(".passkey") || document;
    var unsupported = box.querySelector("[data-passkey-unsupported]");
    var status = box.querySelector("[data-passkey-status]");
    var button = form.querySelector("button[type=submit]");
    var field = form.querySelector("input[name=credential]");
    var mode = form.getAttribute("data-passkey");
    if (!supported()) {
      if (button) {
        button.disabled = true;
      }
      return;
    }
    if (unsupported) {
      unsupported.hidden = true;
    }
    if (button) {
      button.disabled = false; // disabled in the page until this script is ready
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var options = JSON.parse(form.getAttribute("data-passkey-options"));
      var ceremony =
        mode === "register"
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      if (button) {
        button.disabled = true;
      }
      status.textContent = form.getAttribute("data-passkey-waiting");
      ceremony.then(
        function (credential) {
          field.value = JSON.stringify(answer(credential, mode));
          form.submit();
        },
        function () {
          status.textContent = form.getAttribute("data-passkey-cancelled");
          if (button) {
            button.disabled = false;
          }
        }
      );
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(setUp);
})();
