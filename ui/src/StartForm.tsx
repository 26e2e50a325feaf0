import { useState, type FormEvent } from 'react';
import { AUTHOR_ROLES } from './api';
import { hasAnyRole, type Session } from './auth';

export interface StartValues {
  name: string;
  problemStatement: string;
  language: string;
  targetRuntime: string;
}

/**
 * The input panel: what to generate. The values stay as typed for the whole run, and the fields
 * are locked (disabled, still showing their values) while the run executes.
 */
export function StartForm(props: { session: Session | null; locked: boolean; onStart: (v: StartValues) => void }) {
  const [values, setValues] = useState<StartValues>({
    name: '',
    problemStatement: '',
    language: 'typescript',
    targetRuntime: 'node20',
  });
  const set = (k: keyof StartValues) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!props.session || props.locked) return;
    props.onStart(values);
  }

  let why: string;
  if (!props.session) why = 'Sign in to start a run.';
  else if (props.locked) why = 'A run is executing: the inputs are locked until it settles.';
  else if (!hasAnyRole(props.session, AUTHOR_ROLES))
    why = `Your roles (${props.session.roles.join(', ') || 'none'}) lack capability-author or admin: the server will record a denial.`;
  else why = 'Authority, runtime and prompt template are resolved by the server.';

  return (
    <form className="start-form" onSubmit={submit} aria-describedby="start-why">
      <fieldset disabled={props.locked || !props.session}>
        <legend>Start a generation run</legend>
        <label htmlFor="start-name">Name</label>
        <input id="start-name" type="text" required maxLength={120} value={values.name} onChange={set('name')} />
        <label htmlFor="start-problem">Problem statement</label>
        <textarea
          id="start-problem"
          required
          minLength={10}
          maxLength={4000}
          rows={5}
          value={values.problemStatement}
          onChange={set('problemStatement')}
        />
        <label htmlFor="start-language">Language</label>
        <input id="start-language" type="text" required value={values.language} onChange={set('language')} />
        <label htmlFor="start-runtime">Target runtime</label>
        <input id="start-runtime" type="text" required value={values.targetRuntime} onChange={set('targetRuntime')} />
        <button type="submit">Start run</button>
      </fieldset>
      <p id="start-why" className="hint">
        {why}
      </p>
    </form>
  );
}
