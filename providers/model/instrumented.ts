import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { ModelError } from '../../domain/failures';
import type { ModelRequest, ModelResponse, ModelRuntime } from './runtime';

const tracer = trace.getTracer('toolnexus-ai-generation-model');

/**
 * Every model call is a span following the OpenTelemetry GenAI semantic conventions
 * (`{gen_ai.operation.name} {gen_ai.request.model}`, kind CLIENT): operation, provider, request and
 * response model, token usage and `error.type`, plus our fallback attributes (`ai_generation.*`).
 * It is a child of the `RunActivity:callModel` span, so it sits in the run's one trace.
 */
export function withGenAiSpans(runtime: ModelRuntime): ModelRuntime {
  return {
    provider: runtime.provider,
    model: runtime.model,
    runtimeClass: runtime.runtimeClass,
    tokenizer: runtime.tokenizer,
    generate(request: ModelRequest): Promise<ModelResponse> {
      const attributes: Attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': runtime.provider,
        'gen_ai.request.model': runtime.model,
        'gen_ai.output.type': 'json',
        'ai_generation.runtime_class': runtime.runtimeClass,
        'ai_generation.tokenizer': runtime.tokenizer.name,
        ...(request.telemetry
          ? {
              'ai_generation.attempt': request.telemetry.attempt,
              'ai_generation.fallback.used': request.telemetry.fallback.used,
              ...(request.telemetry.fallback.reason
                ? { 'ai_generation.fallback.reason': request.telemetry.fallback.reason }
                : {}),
            }
          : {}),
      };
      return tracer.startActiveSpan(`chat ${runtime.model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
        try {
          const response = await runtime.generate(request);
          span.setAttributes({
            'gen_ai.response.model': response.responseModel,
            ...(response.usage.promptTokens !== null
              ? { 'gen_ai.usage.input_tokens': response.usage.promptTokens }
              : {}),
            ...(response.usage.completionTokens !== null
              ? { 'gen_ai.usage.output_tokens': response.usage.completionTokens }
              : {}),
            'ai_generation.usage.source': response.usage.source,
          });
          return response;
        } catch (err) {
          const type = err instanceof ModelError ? err.type : err instanceof Error ? err.name : 'Error';
          span.setAttribute('error.type', type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      });
    },
  };
}
