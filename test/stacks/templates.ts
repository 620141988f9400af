import {
  type RolloutSynthesis,
  type RolloutTemplateKind,
  synthesizeRollout,
} from '../../stacks/rollout.js';

export type Json = Record<string, unknown>;

export interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface Resource {
  Type: string;
  Properties: Json;
  Condition?: string;
}

export function listOf<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];

  return Array.isArray(value) ? value : [value];
}

/**
 * A template value with its intrinsic functions reduced to text: the
 * partition becomes `aws`, other references `{Name}` or `{Name.Attribute}`.
 */
export function resolved(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolved);
  if (typeof value !== 'object' || value === null) return value;
  const json = value as Json;
  if ('Fn::Join' in json) {
    const [separator, parts] = json['Fn::Join'] as [string, unknown[]];

    return parts.map((part) => String(resolved(part))).join(separator);
  }
  if ('Ref' in json) {
    const name = String(json.Ref);

    return name === 'AWS::Partition' ? 'aws' : `{${name}}`;
  }
  if ('Fn::GetAtt' in json) {
    return `{${(json['Fn::GetAtt'] as string[]).join('.')}}`;
  }

  return Object.fromEntries(
    Object.entries(json).map(([key, inner]) => [key, resolved(inner)])
  );
}

/** One synthesized template, resolved, with lookups tests need. */
export class TemplateView {
  readonly resources: Record<string, Resource>;

  constructor(readonly template: Json) {
    this.resources = resolved(template.Resources ?? {}) as Record<
      string,
      Resource
    >;
  }

  ofType(type: string): [string, Resource][] {
    return Object.entries(this.resources).filter(
      ([, resource]) => resource.Type === type
    );
  }

  only(type: string): Resource {
    const found = this.ofType(type);
    if (found.length !== 1) {
      throw new Error(`expected one ${type}, found ${found.length}`);
    }

    return (found[0] as [string, Resource])[1];
  }

  roleNamed(roleName: string): Resource {
    const role = this.ofType('AWS::IAM::Role').find(
      ([, resource]) => resource.Properties.RoleName === roleName
    );
    if (!role) throw new Error(`no role named ${roleName}`);

    return role[1];
  }

  /** Every statement of a policy document anywhere in the template. */
  statements(): Statement[] {
    const found: Statement[] = [];
    const visit = (value: unknown) => {
      if (Array.isArray(value)) {
        value.forEach(visit);
        return;
      }
      if (typeof value !== 'object' || value === null) return;
      const json = value as Json;
      if ('Statement' in json && ('Version' in json || 'Id' in json)) {
        found.push(...listOf(json.Statement as Statement | Statement[]));
      }
      Object.values(json).forEach(visit);
    };
    visit(this.resources);

    return found;
  }
}

/** Trust statements of a role, i.e. its AssumeRolePolicyDocument. */
export function trustOf(role: Resource): Statement[] {
  const document = role.Properties.AssumeRolePolicyDocument as Json;

  return listOf(document.Statement as Statement[]);
}

/** The inline policy statements of a role. */
export function permissionsOf(role: Resource): Statement[] {
  const policies = listOf(role.Properties.Policies as Json[]);

  return policies.flatMap((policy) =>
    listOf((policy.PolicyDocument as Json).Statement as Statement[])
  );
}

export function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((statement) => listOf(statement.Action)).sort();
}

export class Rollout {
  constructor(readonly synthesis: RolloutSynthesis) {}

  static of(...args: Parameters<typeof synthesizeRollout>): Rollout {
    return new Rollout(synthesizeRollout(...args));
  }

  all(): TemplateView[] {
    return this.synthesis.templates.map(
      (entry) => new TemplateView(entry.template)
    );
  }

  kind(kind: RolloutTemplateKind): TemplateView[] {
    return this.synthesis.templates
      .filter((entry) => entry.kind === kind)
      .map((entry) => new TemplateView(entry.template));
  }

  one(kind: RolloutTemplateKind): TemplateView {
    const [view, ...more] = this.kind(kind);
    if (!view || more.length > 0) {
      throw new Error(`expected one ${kind} template`);
    }

    return view;
  }

  named(name: string): TemplateView {
    const entry = this.synthesis.templates.find((t) => t.name === name);
    if (!entry) throw new Error(`no template ${name}`);

    return new TemplateView(entry.template);
  }
}
