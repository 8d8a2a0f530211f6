{{/*
The environment a service reads its production wiring from (knowledge-kit's ServiceSettings, prefix
KNOWLEDGE_). Credentials only ever come from Secret references (database, Kafka password, Qdrant
API key, Redis URL), never from values.
*/}}
{{- define "platform-lib.serviceEnvironment" -}}
- name: KNOWLEDGE_SERVICE_NAME
  value: {{ .Values.serviceName }}
- name: KNOWLEDGE_GRPC_PORT
  value: {{ .Values.ports.grpc | quote }}
{{- with .Values.ports.websocket }}
- name: KNOWLEDGE_WEBSOCKET_PORT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.ports.http }}
- name: KNOWLEDGE_HTTP_PORT
  value: {{ . | quote }}
{{- end }}
- name: KNOWLEDGE_METRICS_PORT
  value: {{ .Values.ports.metrics | quote }}
{{- with .Values.database }}
{{- /* The PostgreSQL operator's Secret holds the parts; the kit wants one asyncpg URL. */}}
{{- range $variable, $key := dict "PGUSER" "username" "PGPASSWORD" "password" "PGHOST" "host" "PGPORT" "port" "PGDATABASE" "dbname" }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.database.secretName }}
      key: {{ $key }}
{{- end }}
- name: KNOWLEDGE_DATABASE_URL
  value: "postgresql+asyncpg://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)"
{{- end }}
- name: KNOWLEDGE_AUTH_JWKS_URL
  value: {{ include "platform-lib.jwksUri" (dict "jwt" .Values.jwt "namespace" .Release.Namespace) | quote }}
- name: KNOWLEDGE_AUTH_ISSUER
  value: {{ .Values.jwt.issuer | quote }}
- name: KNOWLEDGE_AUTH_AUDIENCE
  value: {{ .Values.jwt.audience | quote }}
{{- with .Values.kafka }}
- name: KNOWLEDGE_KAFKA_BOOTSTRAP
  value: {{ .bootstrapServers | quote }}
- name: KNOWLEDGE_KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: KNOWLEDGE_KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: KNOWLEDGE_KAFKA_SASL_USERNAME
  value: {{ .user }}
- name: KNOWLEDGE_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .user }}
      key: password
- name: KNOWLEDGE_KAFKA_SSL_CAFILE
  value: /etc/kafka/cluster-ca/ca.crt
- name: KNOWLEDGE_KAFKA_CONSUMER_GROUP
  value: {{ .consumerGroup }}
- name: KNOWLEDGE_KAFKA_PRODUCES
  value: {{ join "," .produces | quote }}
- name: KNOWLEDGE_KAFKA_CONSUMES
  value: {{ join "," .consumes | quote }}
{{- with .deadLetterTopic }}
- name: KNOWLEDGE_KAFKA_DEAD_LETTER_TOPIC
  value: {{ . }}
{{- end }}
{{- end }}
{{- with .Values.stores.qdrant }}
- name: KNOWLEDGE_QDRANT_URL
  value: {{ .url | quote }}
- name: KNOWLEDGE_QDRANT_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .apiKeySecret.name }}
      key: {{ .apiKeySecret.key }}
{{- end }}
{{- with .Values.stores.redis }}
- name: KNOWLEDGE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .urlSecret.name }}
      key: {{ .urlSecret.key }}
{{- end }}
{{- end -}}
