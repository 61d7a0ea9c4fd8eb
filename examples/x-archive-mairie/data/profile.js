window.YTD.profile.part0 = [ { "profile" : { "description" : { "bio" : "Compte officiel" } } } ]
