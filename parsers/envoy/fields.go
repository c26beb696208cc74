package envoy

// The field names of the messages this package reads, as Envoy's API
// protos define them (api/envoy/extensions/filters/network/
// http_connection_manager/v3/http_connection_manager.proto,
// api/envoy/extensions/transport_sockets/tls/v3/tls.proto and common.proto,
// api/envoy/config/core/v3/base.proto), oneof members included. A field
// outside these lists makes Envoy refuse the configuration.

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

var hcmFields = set(
	"codec_type", "stat_prefix", "rds", "route_config", "scoped_routes", "http_filters", "add_user_agent",
	"tracing", "common_http_protocol_options", "http1_safe_max_connection_duration", "http_protocol_options",
	"http2_protocol_options", "http3_protocol_options", "server_name", "server_header_transformation",
	"strip_any_host_port", "scheme_header_transformation", "max_request_headers_kb", "stream_idle_timeout",
	"stream_flush_timeout", "request_timeout", "request_headers_timeout", "drain_timeout", "drain_timeout_jitter",
	"delayed_close_timeout", "access_log", "access_log_flush_interval", "flush_access_log_on_new_request",
	"access_log_options", "use_remote_address", "xff_num_trusted_hops", "original_ip_detection_extensions",
	"early_header_mutation_extensions", "internal_address_config", "skip_xff_append", "via", "generate_request_id",
	"preserve_external_request_id", "always_set_request_id_in_response", "forward_client_cert_details",
	"set_current_client_cert_details", "forward_client_cert_matcher", "proxy_100_continue",
	"represent_ipv4_remote_address_as_ipv4_mapped_ipv6", "upgrade_configs", "normalize_path", "merge_slashes",
	"path_with_escaped_slashes_action", "request_id_extension", "local_reply_config", "strip_matching_host_port",
	"stream_error_on_invalid_http_message", "path_normalization_options", "strip_trailing_host_dot",
	"proxy_status_config", "typed_header_validation_config", "append_x_forwarded_port", "append_local_overload",
	"add_proxy_protocol_connection_state", "forward_proto_config", "record_route_resolution_stats",
	// Removed from v3 but still read by the v2 API this package also accepts.
	"idle_timeout", "http_protocol_options_v2",
)

var setCurrentFields = set("subject", "cert", "chain", "dns", "uri", "issuer", "format")

var downstreamTLSFields = set(
	"common_tls_context", "require_client_certificate", "require_sni", "session_ticket_keys",
	"session_ticket_keys_sds_secret_config", "disable_stateless_session_resumption",
	"disable_stateful_session_resumption", "session_timeout", "ocsp_staple_policy",
	"full_scan_certs_on_sni_mismatch", "prefer_client_ciphers",
)

var commonTLSFields = set(
	"tls_params", "tls_certificates", "tls_certificate_sds_secret_configs", "tls_certificate_provider_instance",
	"custom_tls_certificate_selector", "tls_certificate_certificate_provider",
	"tls_certificate_certificate_provider_instance", "validation_context", "validation_context_sds_secret_config",
	"combined_validation_context", "validation_context_certificate_provider",
	"validation_context_certificate_provider_instance", "alpn_protocols", "custom_handshaker", "key_log",
)

var validationFields = set(
	"trusted_ca", "ca_certificate_provider_instance", "system_root_certs", "watched_directory",
	"verify_certificate_spki", "verify_certificate_hash", "match_typed_subject_alt_names", "match_subject_alt_names",
	"require_signed_certificate_timestamp", "crl", "allow_expired_certificate", "trust_chain_verification",
	"custom_validator_config", "only_verify_leaf_cert_crl", "max_verify_depth", "suppress_client_ca_list",
	// v2's name, renamed in v3.
	"verify_subject_alt_name",
)

var headerOptionFields = set("header", "append", "append_action", "keep_empty_value")

var headerValueFields = set("key", "value", "raw_value")
