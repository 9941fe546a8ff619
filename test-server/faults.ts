/**
 * Fault switches: rules that make the next matching requests fail the ways real Zenodo and its
 * proxy fail (an error status, an answer after the action, a reset, a stall, a delay, a hook).
 */
import type { FaultRule, Faults } from './types.js'

interface Armed {
  rule: FaultRule
  times: number
  skip: number
}

/** Whether a rule's path matches: a RegExp, or a string the path equals or ends with. */
function pathMatches(rule: FaultRule, path: string): boolean {
  if (rule.path instanceof RegExp) {
    rule.path.lastIndex = 0
    return rule.path.test(path)
  }
  return path === rule.path || path.endsWith(rule.path)
}

/** The fault rules of one server. */
export class FaultList implements Faults {
  private armed: Armed[] = []

  add(rule: FaultRule): void {
    this.armed.push({ rule, times: rule.times ?? 1, skip: rule.skip ?? 0 })
  }

  clear(): void {
    this.armed = []
  }

  pending(): FaultRule[] {
    return this.armed.map(a => ({ ...a.rule, times: a.times, skip: a.skip }))
  }

  /** The fault for this request, if a rule applies to it (using up one of its times). */
  take(method: string, path: string): FaultRule['kind'] | undefined {
    for (const a of this.armed) {
      if (a.rule.method && a.rule.method.toUpperCase() !== method.toUpperCase()) continue
      if (!pathMatches(a.rule, path)) continue
      if (a.skip > 0) {
        a.skip--
        continue
      }
      a.times--
      if (a.times <= 0) this.armed = this.armed.filter(x => x !== a)
      return a.rule.kind
    }
    return undefined
  }
}
