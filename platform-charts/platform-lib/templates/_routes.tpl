{{/*
One HTTP route of a VirtualService, to one port of one Service, with an explicit timeout. Call with
(dict "name" "match" (list of match maps) "host" "port" "timeout") plus optional "retries"
(attempts, perTryTimeout, retryOn), "corsPolicy" (rendered YAML) and "rewrite" (the path that
replaces the matched prefix, what the service serves from).
*/}}
{{- define "platform-lib.httpRoute" -}}
- name: {{ .name }}
  match:
    {{- toYaml .match | nindent 4 }}
  {{- with .rewrite }}
  rewrite:
    uri: {{ . | quote }}
  {{- end }}
  route:
    - destination:
        host: {{ .host }}
        port:
          number: {{ .port }}
  timeout: {{ .timeout }}
  {{- with .retries }}
  retries:
    attempts: {{ .attempts }}
    perTryTimeout: {{ .perTryTimeout }}
    retryOn: {{ .retryOn }}
  {{- end }}
  {{- with .corsPolicy }}
  corsPolicy:
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}
