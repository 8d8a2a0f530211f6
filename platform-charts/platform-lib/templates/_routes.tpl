{{/*
One HTTP route of a VirtualService, to one port of one Service, with an explicit timeout. Call with
(dict "name" "match" (list of match maps) "host" "port" "timeout") plus optional "retries"
(attempts, perTryTimeout, retryOn) and "corsPolicy" (rendered YAML).
*/}}
{{- define "platform-lib.httpRoute" -}}
- name: {{ .name }}
  match:
    {{- toYaml .match | nindent 4 }}
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
