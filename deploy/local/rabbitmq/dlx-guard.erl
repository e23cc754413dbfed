%% The guard of RabbitMQ 3.10's rabbit_fifo_dlx_sup, evaluated on one node by `rabbitmqctl eval` (servers.sh
%% rabbit_dlx_guard, which says why it is needed). It answers a list of what it found and did:
%%   {supervisor, alive | restarted}: restarted when the supervisor was dead (rabbit_sup keeps its child spec
%%     but, the supervisor being a transient child that ended with `shutdown`, never restarts it itself);
%%   {restart_intensity, Intensity, Period}: as set now (3.10.8 ships 1 per 5 s);
%%   {queues_resumed, N}: after a restart, the local quorum queues whose dead-letter worker was started again
%%     (the dead supervisor took every worker with it, and a queue starts one only on becoming leader) or
%%     whose Ra server, crashed by a declaration while the supervisor was dead, was restarted.
%% Anything unexpected (a supervisor state of another shape, a failed restart) ends the evaluation with an
%% error naming it, and servers.sh then restarts the node.
Sup = rabbit_fifo_dlx_sup,
Intensity = 1000,
Period = 5,
Found = case whereis(Sup) of
          undefined ->
            case supervisor:restart_child(rabbit_sup, Sup) of
              {ok, _} -> restarted;
              {error, running} -> alive;
              {error, {already_started, _}} -> alive;
              Failed -> erlang:error({rabbit_fifo_dlx_sup_not_restarted, Failed})
            end;
          _ -> alive
        end,
%% The supervisor's #state{} record of OTP 24-26: {state, Name, Strategy, Children, Dynamics, Intensity,
%% Period, ...}. Checked before it is changed, so another OTP's shape is reported, never corrupted.
State = sys:get_state(Sup),
Shaped = is_tuple(State) andalso tuple_size(State) >= 7 andalso element(1, State) =:= state
           andalso element(3, State) =:= simple_one_for_one
           andalso is_integer(element(6, State)) andalso is_integer(element(7, State)),
Shaped orelse erlang:error({unexpected_supervisor_state, State}),
_ = element(6, State) < Intensity andalso
      sys:replace_state(Sup, fun (S) -> setelement(7, setelement(6, S, Intensity), Period) end),
Resumed = case Found of
            restarted ->
              [begin
                 {RaName, _} = amqqueue:get_pid(Q),
                 Server = {RaName, node()},
                 case whereis(RaName) of
                   undefined -> rabbit_quorum_queue:restart_server(Server);
                   %% A leader starts its worker again; a follower or a queue without at-least-once ignores it.
                   _ -> ra:cast_aux_command(Server, {dlx, setup})
                 end
               end || Q <- rabbit_amqqueue:list_local_quorum_queues()];
            alive -> []
          end,
Now = sys:get_state(Sup),
[{supervisor, Found}, {restart_intensity, element(6, Now), element(7, Now)}, {queues_resumed, length(Resumed)}].
