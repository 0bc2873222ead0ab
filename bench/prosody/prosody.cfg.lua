-- Prosody 0.12 (Debian bookworm) configuration for the side-by-side benchmarks (bench/compare).
-- bench/compare copies this file into a private run directory and replaces __PORT__ and __DIR__.
--
-- Relaxations against a production configuration (listed again in BENCHMARKS.md):
--   - loopback only: c2s on 127.0.0.1:__PORT__; s2s, HTTP and the admin console are not loaded;
--   - encryption not required (c2s_require_encryption = false); no certificates, so no STARTTLS;
--   - in-band registration allowed (loopback is on mod_register_limits' allowlist by default);
--   - mod_limits (rate limits) is not loaded.
-- Passwords are stored hashed (internal_hashed, SCRAM-SHA-1 keys); storage is files in __DIR__.

pidfile = "__DIR__/prosody.pid"
data_path = "__DIR__/data"
daemonize = false
log = { warn = "__DIR__/prosody.log" }

c2s_ports = { __PORT__ }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }

modules_enabled = {
  "roster"; "saslauth"; "disco"; "vcard"; "lastactivity"; "ping"; "register";
}
modules_disabled = { "s2s"; "offline"; }

authentication = "internal_hashed"
storage = "internal"
allow_registration = true
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true

VirtualHost "localhost"
