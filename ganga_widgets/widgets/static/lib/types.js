// @ts-check
// The shapes of what Python sends the views (the widgets' traits and messages), for the type
// checker. Python computes every value (ganga_widgets/jobdata/); the views only draw them.

/**
 * The status vocabulary (ganga_widgets/jobdata/status.py): every status in display order,
 * its one-letter code, and the named sets. The views never restate them.
 * @typedef {object} Vocabulary
 * @property {string[]} order
 * @property {Record<string, string>} codes
 * @property {{active: string[], shown_active: string[], final: string[], failed: string[], completed: string[], queued: string[]}} sets
 */

/**
 * @typedef {object} Times
 * @property {number | null} [created]
 * @property {number | null} [submitted]  the first submission
 * @property {number | null} [resubmitted]  the last resubmission, if any
 * @property {number | null} [started]  this attempt's start (a split job: its first subjob's)
 * @property {number | null} [finished]
 */

/**
 * @typedef {object} Summary
 * @property {number} id
 * @property {string} fqid
 * @property {string} name
 * @property {string} comment
 * @property {string} application
 * @property {string} backend
 * @property {string} status
 * @property {number} subjobs
 * @property {Times} times
 * @property {string} outputdir
 * @property {string} [files]  how its files reach the nodes, where not a shared filesystem
 * @property {Submitting | null} [submitting]  how far a submission under way is
 */

/**
 * @typedef {object} Submitting
 * @property {"splitting" | "submitting"} phase  subjobs made, then subjobs submitted
 * @property {number} done
 * @property {number | null} total  null while unknown
 * @property {string} text  e.g. "submitting 340 of 1,000"
 */

/**
 * @typedef {object} Tail
 * @property {string} text
 * @property {string | null} error
 * @property {number} lines
 * @property {number} size
 * @property {boolean} truncated
 * @property {string} source
 */

/**
 * @typedef {object} CallError
 * @property {string} type
 * @property {string} message
 * @property {string} traceback
 * @property {string} host
 */

/**
 * @typedef {object} CondorDetail
 * @property {string} status
 * @property {string} slot
 * @property {string} host
 * @property {number | null} memory_mb
 * @property {number | null} memory_peak_mb
 * @property {number | null} cpu_s
 * @property {number | null} wall_s
 * @property {number | null} idle_for
 * @property {number} evictions
 * @property {string} note
 * @property {string} hold_reason
 * @property {number | null} hold_code
 * @property {number | null} hold_subcode
 * @property {boolean} why_idle
 * @property {boolean} can_hold
 * @property {boolean} can_release
 * @property {number | null} memory_request_mb
 * @property {number | null} disconnected_at  since when HTCondor tries to reconnect
 * @property {number | null} gives_up_at  when it stops trying (the job lease ends)
 * @property {number | null} lease_s
 * @property {Array<[number, string]>} history  the connection's story: (time, what), newest last
 */

/**
 * @typedef {object} Detail
 * @property {string} [fqid]
 * @property {number | null} [subjob]
 * @property {string} [status]
 * @property {number | null} [exit_code]
 * @property {Times} [times]
 * @property {string} [host]
 * @property {string | number | null} [backend_id]
 * @property {Tail} [stderr]
 * @property {boolean} [can_kill]
 * @property {CondorDetail | null} [condor]
 * @property {CallError | null} [call_error]
 */

/**
 * @typedef {object} Failure
 * @property {number} subjob
 * @property {string} fqid
 * @property {number | null} exit_code
 * @property {string} tail
 * @property {string | null} error
 * @property {CallError | null} call_error
 */

/**
 * @typedef {object} HeldGroup
 * @property {string} key  the cause: what the group's actions name it by
 * @property {string} reason  the first subjob's own
 * @property {number | null} code
 * @property {number | null} subcode
 * @property {number} count
 * @property {number[]} subjobs  the first few (none: a job without subjobs)
 * @property {HeldFix} [fix]
 */

/**
 * What fits a hold: "memory" (from what was measured), "missing_input", "release".
 * @typedef {object} HeldFix
 * @property {"memory" | "missing_input" | "release"} kind
 * @property {number | null} [request_mb]
 * @property {number | null} [peak_mb]
 * @property {string} [peak_from]
 * @property {number} [suggested_mb]
 * @property {string} [path]
 */

/**
 * A sample's figures (ganga_widgets/jobdata/statistics.py): quantiles and a histogram of
 * bins of one width from `start`.
 * @typedef {object} Described
 * @property {number} count
 * @property {number} min
 * @property {number} median
 * @property {number} p95
 * @property {number} max
 * @property {Histogram | null} histogram
 */

/**
 * Counts in bins of one width from `start`; `whole`: the data are whole numbers.
 * @typedef {object} Histogram
 * @property {number} start
 * @property {number} width
 * @property {number[]} counts
 * @property {boolean} [whole]
 */

/**
 * @typedef {Described & {request_mb: number | null, advice: {text: string, suggested_mb: number, lower: boolean} | null}} Memory
 */

/**
 * @typedef {object} Timeline  subjobs ended per `minutes_per_point` minutes from `start`
 * @property {number} start
 * @property {number} minutes_per_point
 * @property {number[]} counts
 */

/**
 * The `stats` trait: run statistics of a split job.
 * @typedef {object} Stats
 * @property {number} [subjobs]
 * @property {Described | null} [runtime]
 * @property {string} [runtime_measures]  what a runtime is measured from
 * @property {{subjob: number, runtime_s: number}[]} [slowest]
 * @property {Described | null} [queue]
 * @property {Timeline | null} [throughput]
 * @property {Memory | null} [memory]
 * @property {Described | null} [cpu_efficiency]
 * @property {{count: number, top: {host: string, subjobs: number}[], others: number}} [hosts]
 */

/**
 * @typedef {object} Outcome  The last action's outcome (the `action` trait).
 * @property {number} [seq]
 * @property {string} [name]
 * @property {string} [state]
 * @property {string} [message]
 */

/**
 * @typedef {object} Row  One job of the dashboard (ganga_widgets/jobdata/rows.py).
 * @property {number} id
 * @property {string} name
 * @property {string} comment
 * @property {string} status
 * @property {string} application
 * @property {string} backend
 * @property {number} subjobs
 * @property {Record<string, number>} counts
 * @property {Times | null} times
 * @property {string | null} error
 * @property {string[]} actions  the row actions that make sense now (open, kill, resubmit, remove)
 */

/**
 * @typedef {object} Query
 * @property {string[]} status
 * @property {string[]} backend
 * @property {string} text
 * @property {string} sort
 * @property {boolean} descending
 * @property {number} page
 * @property {number} page_size
 */

/**
 * @typedef {object} Totals
 * @property {number} jobs
 * @property {Record<string, number>} by_status
 * @property {number} subjobs_running
 * @property {number} subjobs_queued
 */

/**
 * Another Ganga session owns the gangadir ({} where this kernel does).
 * @typedef {object} Sharing
 * @property {string} owner  which session, e.g. "the Ganga session of process 7 on vm"
 * @property {boolean} ended  it has ended: this kernel can take over
 * @property {string} text  what the view says at its top
 * @property {string} reason  why no action is offered (each disabled action's title)
 */

/**
 * What both views read of their model: anywidget's model, typed loosely (each view's traits
 * are listed in its index.js).
 * @typedef {object} Model
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {(message: object) => void} send
 * @property {(event: string, callback: (...args: any[]) => void) => void} on
 * @property {(event: string, callback: (...args: any[]) => void) => void} off
 * @property {any} [widget_manager]  the frontend's (see lib/live.js)
 */

export {};
